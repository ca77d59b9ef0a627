package packages

// Category is a known category id of the catalogue, upstream's list.
type Category struct {
	ID     string
	Title  string
	Parent string // empty for top-level categories
}

// categoryList is the catalogue in id order; 72 entries, one level of nesting.
var categoryList = [...]Category{
	{"advanced_analytics_ueba", "Advanced Analytics (UEBA)", "security"},
	{"analytics_engine", "Analytics Engine", "observability"},
	{"app_search", "Application Search", "enterprise_search"},
	{"application_observability", "Application", "observability"},
	{"asset_inventory", "Asset Inventory", "security"},
	{"auditd", "AuditD", "security"},
	{"authentication", "Authentication", "security"},
	{"aws", "AWS", ""},
	{"azure", "Azure", ""},
	{"big_data", "Big Data", "observability"},
	{"cdn_security", "Content Delivery Network", "security"},
	{"cloud", "Cloud", ""},
	{"cloudsecurity_cdr", "Cloud Security/CDR", "security"},
	{"config_management", "Config management", ""},
	{"connector", "Connector", "enterprise_search"},
	{"connector_client", "Connector Client", "enterprise_search"},
	{"connector_package", "Connector Package", "enterprise_search"},
	{"containers", "Containers", ""},
	{"content_source", "Content Source", "enterprise_search"},
	{"crawler", "Crawler", "enterprise_search"},
	{"credential_management", "Credential Management", "security"},
	{"crm", "CRM", ""},
	{"custom", "Custom", ""},
	{"custom_logs", "Custom Logs", "custom"},
	{"database_security", "Database", "security"},
	{"datastore", "Database", ""},
	{"dns_security", "DNS", "security"},
	{"edr_xdr", "EDR/XDR", "security"},
	{"elastic_stack", "Elastic Stack", ""},
	{"elasticsearch_sdk", "Elasticsearch SDK", ""},
	{"email_security", "Email", "security"},
	{"enterprise_search", "Enterprise Search", ""},
	{"firewall_security", "Firewall", "security"},
	{"google_cloud", "Google Cloud", ""},
	{"iam", "Identity and Access Management", "security"},
	{"ids_ips", "IDS/IPS", "security"},
	{"infrastructure", "Infrastructure", ""},
	{"java_observability", "Java", "observability"},
	{"kubernetes", "Kubernetes", "observability"},
	{"language_client", "Language Client", "enterprise_search"},
	{"languages", "Languages", ""},
	{"load_balancer", "Load Balancer", "observability"},
	{"message_queue", "Message Broker", "observability"},
	{"misconfiguration_workflow", "Misconfiguration Workflow", "security"},
	{"monitoring", "Monitoring", "observability"},
	{"native_search", "Native Search", "enterprise_search"},
	{"network", "Network", ""},
	{"network_security", "Network", "security"},
	{"notification", "Notification", "observability"},
	{"observability", "Observability", ""},
	{"opentelemetry", "OpenTelemetry", ""},
	{"os_system", "Operating Systems", ""},
	{"process_manager", "Process Manager", "observability"},
	{"productivity", "Productivity", ""},
	{"productivity_security", "Productivity", "security"},
	{"proxy_security", "Proxy", "security"},
	{"sdk_search", "SDK", "enterprise_search"},
	{"security", "Security", ""},
	{"siem", "SIEM", "security"},
	{"stream_processing", "Stream Processing", "observability"},
	{"support", "Support", ""},
	{"threat_intel", "Threat Intelligence", "security"},
	{"ticketing", "Ticketing", ""},
	{"version_control", "Version Control", ""},
	{"virtualization", "Virtualization Platform", "observability"},
	{"vpn_security", "VPN", "security"},
	{"vulnerability_management", "Vulnerability Management", "security"},
	{"vulnerability_workflow", "Vulnerability Workflow", "security"},
	{"web", "Web Server", "observability"},
	{"web_application_firewall", "Web Application Firewall", "security"},
	{"websphere", "WebSphere Application Server", "observability"},
	{"workplace_search", "Workplace Search", "enterprise_search"},
}

var categoriesByID = func() map[string]*Category {
	m := make(map[string]*Category, len(categoryList))
	for i := range categoryList {
		m[categoryList[i].ID] = &categoryList[i]
	}
	return m
}()

// LookupCategory returns the catalogue entry of id, or nil when id is unknown.
func LookupCategory(id string) *Category { return categoriesByID[id] }

// IsKnownCategory tells whether id is in the catalogue (exact, case-sensitive).
func IsKnownCategory(id string) bool { return categoriesByID[id] != nil }
