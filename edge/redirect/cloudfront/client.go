package cloudfront

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	kvs "github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore"
)

// NewClient returns a KeyValueStore client for cfg. The data-plane API is
// signed with SigV4A (the SDK does it). endpoint, when set, replaces the
// service's: the SDK puts the store's account ID in front of its host
// ("https://kvs.test" becomes "https://123456789012.kvs.test").
func NewClient(cfg aws.Config, endpoint string) *kvs.Client {
	return kvs.NewFromConfig(cfg, func(o *kvs.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
}
