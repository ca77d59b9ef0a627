package packages

import "testing"

func TestCheckIdentity(t *testing.T) {
	cases := []struct {
		name, version string
		valid         bool
	}{
		{"nginx", "1.0.0", true},
		{"aws_s3", "2.0.0-rc1+build.5", true},
		{"0_9", "0.0.1", true},
		{"", "1.0.0", false},
		{"Nginx", "1.0.0", false},
		{"my-pkg", "1.0.0", false},
		{"x/../../..", "1.0.0", false},
		{"..", "1.0.0", false},
		{"a b", "1.0.0", false},
		{"nginx", "1.0", false},
		{"nginx", "v1.0.0", false},
		{"nginx", "1.0.0/../..", false},
		{"nginx", "", false},
	}
	for _, c := range cases {
		err := CheckIdentity(c.name, c.version)
		if (err == nil) != c.valid {
			t.Errorf("CheckIdentity(%q, %q) = %v, want valid: %v", c.name, c.version, err, c.valid)
		}
		if c.version == "1.0.0" && ValidName(c.name) != c.valid {
			t.Errorf("ValidName(%q) = %v, want %v", c.name, !c.valid, c.valid)
		}
	}
}
