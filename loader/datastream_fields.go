package loader

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// requiredFields must be defined by every data stream, with these types
// (checked by the data-stream validation, in this order).
var requiredFields = []struct{ name, typ string }{
	{"data_stream.type", "constant_keyword"},
	{"data_stream.dataset", "constant_keyword"},
	{"data_stream.namespace", "constant_keyword"},
	{"@timestamp", "date"},
}

// fieldDef is one field object of a fields file.
type fieldDef = *yamlMap

// validateRequiredFields reads every entry directly under
// data_stream/<dir>/fields/ as a YAML list of field objects and looks for
// the required fields. All files are read first so that a check of the
// same names and contents that passed in another package of the load can
// be skipped (Cache); errors still come in file order.
func validateRequiredFields(fsys PackageFS, dir string) error {
	files, err := fsys.Glob(path.Join("data_stream", dir, "fields") + "/*")
	if err != nil {
		return err
	}
	contents := make([][]byte, len(files))
	readErrs := make([]error, len(files))
	parts := make([][]byte, 0, 2*len(files))
	cacheable := true
	for i, f := range files {
		contents[i], readErrs[i] = readFile(fsys, f)
		cacheable = cacheable && readErrs[i] == nil
		parts = append(parts, []byte(f), contents[i])
	}
	check := func() error {
		var all []fieldDef
		for i, f := range files {
			if readErrs[i] != nil {
				return fmt.Errorf("reading file failed (path: %s): %w", f, readErrs[i])
			}
			defs, err := parseFieldDefs(f, contents[i])
			if err != nil {
				return fmt.Errorf("unmarshaling file failed (path: %s): %w", f, err)
			}
			all = append(all, defs...)
		}
		for _, rf := range requiredFields {
			if err := requireField(all, rf.name, rf.typ); err != nil {
				return err
			}
		}
		return nil
	}
	if !cacheable {
		return check()
	}
	return loadCacheOf(fsys).check(keyOf("required-fields", parts...), check)
}

func parseFieldDefs(name string, data []byte) ([]fieldDef, error) {
	tree, err := parsePlainYAML(name, data)
	if err != nil {
		return nil, err
	}
	return fieldDefList(tree)
}

func fieldDefList(v any) ([]fieldDef, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case []any:
		defs := make([]fieldDef, 0, len(t))
		for _, e := range t {
			m, ok := e.(*yamlMap)
			if !ok {
				return nil, errors.New("mapstr expected")
			}
			defs = append(defs, m)
		}
		return defs, nil
	}
	return nil, fmt.Errorf("yaml: unmarshal errors:\n  cannot unmarshal !!%s into []common.MapStr", yamlKindName(v))
}

// requireField finds searchedName either as a flat name or, ECS style,
// through nested "fields" lists of the dotted name's parents.
func requireField(all []fieldDef, searchedName, expectedType string) error {
	f, err := findField(all, searchedName)
	if err != nil {
		f, err = findFieldSplit(all, searchedName)
		if err != nil {
			return fmt.Errorf("finding field failed (searchedName: %s): %w", searchedName, err)
		}
	}
	typ, ok := f.get("type")
	if !ok {
		return fmt.Errorf("can't get type of the field (searchedName: %s): key not found", searchedName)
	}
	if s, _ := scalarString(typ); s != expectedType || typ == nil {
		return fmt.Errorf("wrong field type for '%s' (expected: %s, got: %v)", searchedName, expectedType, typ)
	}
	return nil
}

func findFieldSplit(all []fieldDef, searchedName string) (fieldDef, error) {
	levels := strings.Split(searchedName, ".")
	cur := all
	for _, part := range levels[:len(levels)-1] {
		next, err := findFieldsArray(cur, part)
		if err != nil {
			return nil, fmt.Errorf("failed to find fields array: %w", err)
		}
		cur = next
	}
	return findField(cur, levels[len(levels)-1])
}

func findFieldsArray(all []fieldDef, name string) ([]fieldDef, error) {
	f, err := findField(all, name)
	if err != nil {
		return nil, err
	}
	v, ok := f.get("fields")
	if !ok {
		return nil, errors.New("key not found")
	}
	list, ok := v.([]any)
	if !ok {
		return nil, errors.New("fields array expected")
	}
	return fieldDefList(list)
}

func findField(all []fieldDef, name string) (fieldDef, error) {
	for _, f := range all {
		v, ok := f.get("name")
		if !ok {
			return nil, errors.New("cannot get name of the field: key not found")
		}
		s, ok := v.(string)
		if !ok {
			return nil, errors.New("field name is not a string")
		}
		if s == name {
			return f, nil
		}
	}
	return nil, fmt.Errorf("field '%s' not found", name)
}
