"""Drive one lab device with Netmiko; used by TestNetmiko.

argv: device_type port username password secret
Prints a JSON object with the outputs.
"""
import json
import sys

from netmiko import ConnectHandler

# The same change in each platform's own syntax: the lab rejects the
# others' (NX-OS has "logging server", the ASA names the interface, IOS-XR
# has no "host" keyword).
LINES = {
    "cisco_ios": ["ntp server 10.0.1.100", "logging host 10.0.1.50"],
    "arista_eos": ["ntp server 10.0.1.100", "logging host 10.0.1.50"],
    "cisco_nxos": ["ntp server 10.0.1.100", "logging server 10.0.1.50"],
    "cisco_asa": ["ntp server 10.0.1.100", "logging host management 10.0.1.50"],
    "cisco_xr": ["ntp server 10.0.1.100", "logging 10.0.1.50 vrf default severity info"],
}

dtype, port, user, pw, secret = sys.argv[1:6]
conn = ConnectHandler(device_type=dtype, host="127.0.0.1", port=int(port), username=user,
                      password=pw, secret=secret, allow_agent=False, use_keys=False,
                      ssh_config_file=None, timeout=10, fast_cli=False)
out = {"prompt": conn.find_prompt()}
if dtype in ("cisco_ios", "arista_eos"):
    conn.enable()
if dtype == "juniper_junos":
    out["version"] = conn.send_command("show version")
    out["config"] = conn.send_config_set(["set system ntp server 10.0.1.100"])
    out["commit"] = conn.commit()
    conn.exit_config_mode()
    out["verify"] = conn.send_command("show configuration system ntp")
elif dtype == "linux":
    out["version"] = conn.send_command("uname -a")
elif dtype == "cisco_xr":
    out["version"] = conn.send_command("show version")
    out["config"] = conn.send_config_set(LINES[dtype])
    out["commit"] = conn.commit()
    conn.exit_config_mode()
    out["verify"] = conn.send_command("show running-config ntp")
    # Leaving with an uncommitted change: the device asks, Netmiko answers
    # "no", the change is gone.
    out["discard"] = conn.send_config_set(["snmp-server location lab-rack-9"])
    out["exit"] = conn.exit_config_mode()
    out["after_discard"] = conn.send_command("show running-config snmp-server")
else:
    out["version"] = conn.send_command("show version")
    out["config"] = conn.send_config_set(LINES[dtype])
    out["save"] = conn.save_config()
    out["verify"] = conn.send_command("show running-config | include ntp server")
conn.disconnect()
print(json.dumps(out))
