package edgelog

import "testing"

func TestCloudFrontGolden(t *testing.T) { runGolden(t, "cloudfront") }

func TestALBGolden(t *testing.T) { runGolden(t, "alb") }

func TestCombinedGolden(t *testing.T) { runGolden(t, "combined") }
