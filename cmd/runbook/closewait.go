package main

import (
	"context"
	"time"

	"github.com/runbook-dev/runbook/driver"
)

// closeWaitLimit bounds how long the end of a run waits for the sessions
// it closed: driver.WaitClosed stops their waits for the devices to hang
// up and takes a few milliseconds; the limit only matters if a connection
// cannot be closed.
const closeWaitLimit = 2 * time.Second

// waitSessionsClosed ends the hang-ups that the run's closed sessions
// still wait for (a device that does not hang up after "exit" is given a
// grace period off the worker's time), so that the process neither exits
// with sessions half closed nor waits out the grace.
func waitSessionsClosed() {
	ctx, cancel := context.WithTimeout(context.Background(), closeWaitLimit)
	defer cancel()
	_ = driver.WaitClosed(ctx)
}
