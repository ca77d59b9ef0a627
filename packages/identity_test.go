package packages

import "testing"

func TestCheckIdentity(t *testing.T) {
	valid := [][2]string{{"nginx", "1.0.0"}, {"aws_s3", "2.0.0-rc1+build.5"}, {"0_9", "0.0.1"}}
	badNames := []string{"", "Nginx", "my-pkg", "x/../../..", "..", "a b", "nginx\x00"}
	badVersions := []string{"", "1.0", "v1.0.0", "1.0.0/../..", "01.0.0"}
	for _, nv := range valid {
		if err := CheckIdentity(nv[0], nv[1]); err != nil || !ValidName(nv[0]) {
			t.Errorf("%q %q refused: %v", nv[0], nv[1], err)
		}
	}
	for _, name := range badNames {
		if err := CheckIdentity(name, "1.0.0"); err == nil || ValidName(name) {
			t.Errorf("name %q accepted", name)
		}
	}
	for _, version := range badVersions {
		if err := CheckIdentity("nginx", version); err == nil {
			t.Errorf("version %q accepted", version)
		}
	}
}
