package report

import (
	"errors"

	"github.com/runbook-dev/runbook/engine"
)

type multi []engine.Sink

// Multi fans events out to several sinks, in order. Nil sinks are dropped.
// Close closes every sink, even after one fails, and joins their errors.
func Multi(sinks ...engine.Sink) engine.Sink {
	var m multi
	for _, s := range sinks {
		switch s := s.(type) {
		case nil:
		case multi:
			m = append(m, s...)
		default:
			m = append(m, s)
		}
	}
	return m
}

func (m multi) Event(ev engine.Event) {
	for _, s := range m {
		s.Event(ev)
	}
}

func (m multi) Close() error {
	var errs []error
	for _, s := range m {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
