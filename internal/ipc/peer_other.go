//go:build !linux

package ipc

import (
	"errors"
	"net"
)

// peerOf fails closed where opsbot does not read peer credentials: the
// socket then answers no one rather than trusting what a client says.
func peerOf(net.Conn) (Peer, error) {
	return Peer{}, errors.New("reading a unix socket peer's credentials is only implemented on Linux; run opsbot ask and chat on a Linux host, or stop serve to open the data folder directly")
}
