package edgelog

import "testing"

func TestCloudFrontGolden(t *testing.T) { runGolden(t, "cloudfront") }

func TestALBGolden(t *testing.T) { runGolden(t, "alb") }

func TestCombinedGolden(t *testing.T) { runGolden(t, "combined") }

func TestCloudFrontV2JSONGolden(t *testing.T) { runGolden(t, "cloudfront-v2-json") }

func TestCloudflareGolden(t *testing.T) { runGolden(t, "cloudflare") }

func TestFastlyGolden(t *testing.T) { runGolden(t, "fastly") }
