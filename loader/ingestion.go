package loader

// ingestionMethods maps an input type to the ingestion method shown in Kibana
// (upstream's ingestion_method.yml, 64 input types). Keys are exact and
// case-sensitive.
var ingestionMethods = func() map[string]string {
	byMethod := map[string][]string{
		"API": {
			"cel", "entity-analytics", "httpjson", "o365audit", "salesforce", "streaming",
			"websocket", "winlog", "apache/metrics", "aws/metrics", "awsfargate/metrics",
			"azure/metrics", "containerd/metrics", "docker/metrics", "elasticsearch/metrics",
			"enterprisesearch/metrics", "etcd/metrics", "gcp/metrics", "haproxy/metrics",
			"http/metrics", "kibana/metrics", "kubernetes/metrics", "logstash/metrics",
			"meraki/metrics", "nats/metrics", "nginx/metrics", "panw/metrics", "rabbitmq/metrics",
			"stan/metrics", "vsphere/metrics", "windows/metrics",
		},
		"Database": {
			"memcached/metrics", "mongodb/metrics", "mysql/metrics", "postgresql/metrics",
			"redis", "redis/metrics", "sql/metrics", "zookeeper/metrics",
		},
		"Jolokia":                      {"activemq/metrics", "jolokia/metrics", "kafka/metrics"},
		"File":                         {"filestream", "logfile", "linux/metrics", "system/metrics"},
		"Network Protocol":             {"syslog", "tcp", "udp", "statsd/metrics"},
		"Webhook":                      {"http_endpoint"},
		"AWS S3":                       {"aws-s3"},
		"Azure Blob Storage":           {"azure-blob-storage"},
		"AWS CloudWatch":               {"aws-cloudwatch"},
		"Azure Event Hub":              {"azure-eventhub"},
		"ETW":                          {"etw"},
		"GCP Pub/Sub":                  {"gcp-pubsub"},
		"Google Cloud Storage":         {"gcs"},
		"Windows Performance Counters": {"iis/metrics"},
		"journald":                     {"journald"},
		"Kafka":                        {"kafka"},
		"Lumberjack":                   {"lumberjack"},
		"NetFlow":                      {"netflow"},
		"Prometheus":                   {"prometheus/metrics"},
	}
	m := make(map[string]string, 64)
	for method, inputs := range byMethod {
		for _, in := range inputs {
			m[in] = method
		}
	}
	return m
}()

// ingestionMethod returns the method of an input type, "" when unmapped.
func ingestionMethod(input string) string {
	return ingestionMethods[input]
}
