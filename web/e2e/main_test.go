// Package e2e tests the pages as serve wires them: the real router,
// write commands and confirmations over the embedded engine, a loopback
// Fastly ACL as the edge, the fake Slack as the directory and the
// loopback OIDC provider, through a real browser (headless Chromium) and
// an HTTP client.
package e2e

import (
	"testing"

	"github.com/opsbot/opsbot/warehouse/warehousetest"
)

func TestMain(m *testing.M) { warehousetest.Main(m) }
