package edgelog

import "testing"

func TestCloudFrontGolden(t *testing.T) { runGolden(t, "cloudfront") }
