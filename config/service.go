package config

// DefaultServiceName is the service name when ELASTIC_APM_SERVICE_NAME is
// not set.
const DefaultServiceName = "package-registry"

// ServiceName is the name reported by / and /index.json and in every log
// line: ELASTIC_APM_SERVICE_NAME when set and non-empty, as upstream's.
func ServiceName(lookupEnv LookupEnvFunc) string {
	if lookupEnv != nil {
		if v, ok := lookupEnv("ELASTIC_APM_SERVICE_NAME"); ok && v != "" {
			return v
		}
	}
	return DefaultServiceName
}

// ServiceEnvironment is ELASTIC_APM_ENVIRONMENT, logged as
// service.environment when non-empty, even without APM, as upstream's.
func ServiceEnvironment(lookupEnv LookupEnvFunc) string {
	if lookupEnv == nil {
		return ""
	}
	v, _ := lookupEnv("ELASTIC_APM_ENVIRONMENT")
	return v
}
