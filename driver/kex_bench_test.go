package driver_test

import (
	"crypto/ecdh"
	"crypto/rand"
	"testing"

	"golang.org/x/crypto/curve25519"
)

// BenchmarkKeyExchangeMath is one side's arithmetic of an SSH key
// exchange, as x/crypto does it: curve25519 through curve25519.X25519
// (which computes, and drops, a public key on every call) against ECDH on
// P-256. It is why the driver offers P-256 first (docs/driver.md).
func BenchmarkKeyExchangeMath(b *testing.B) {
	b.Run("curve25519", func(b *testing.B) {
		var peer, priv [32]byte
		if _, err := rand.Read(peer[:]); err != nil {
			b.Fatal(err)
		}
		peerPub, err := curve25519.X25519(peer[:], curve25519.Basepoint)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := rand.Read(priv[:]); err != nil {
				b.Fatal(err)
			}
			if _, err := curve25519.X25519(priv[:], curve25519.Basepoint); err != nil {
				b.Fatal(err)
			}
			if _, err := curve25519.X25519(priv[:], peerPub); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("P-256", func(b *testing.B) {
		peer, err := ecdh.P256().GenerateKey(rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			k, err := ecdh.P256().GenerateKey(rand.Reader)
			if err != nil {
				b.Fatal(err)
			}
			_ = k.PublicKey().Bytes()
			if _, err := k.ECDH(peer.PublicKey()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
