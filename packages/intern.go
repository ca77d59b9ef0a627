package packages

import (
	"strconv"
	"strings"
	"sync"
	"unique"

	"github.com/Masterminds/semver/v3"
)

// Interner shares equal values between the packages compacted during one
// load: strings (through the unique package, so across loads too), parsed
// versions and constraints, and the small structures that most packages
// have in common (owner, source, conditions). Twenty versions of a package
// differ in little more than their version, and thousands of packages
// share a handful of Kibana ranges. It is safe for concurrent use; the zero
// value is not usable.
type Interner struct {
	mu       sync.Mutex
	lists    map[string][]string
	versions map[string]*semver.Version
	ranges   map[string]*semver.Constraints
	owners   map[Owner]*Owner
	sources  map[Source]*Source
	conds    map[string]*Conditions
}

// NewInterner returns an empty interner, for one load.
func NewInterner() *Interner {
	return &Interner{
		lists:    map[string][]string{},
		versions: map[string]*semver.Version{},
		ranges:   map[string]*semver.Constraints{},
		owners:   map[Owner]*Owner{},
		sources:  map[Source]*Source{},
		conds:    map[string]*Conditions{},
	}
}

func (in *Interner) str(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}

func (in *Interner) strPtr(s *string) *string {
	if s == nil {
		return nil
	}
	v := in.str(*s)
	return &v
}

// version shares parsed versions by their text; a *semver.Version is never
// modified after parsing.
func (in *Interner) version(v *semver.Version) *semver.Version {
	if v == nil {
		return nil
	}
	key := v.Original() + "\x00" + v.String()
	in.mu.Lock()
	defer in.mu.Unlock()
	if shared, ok := in.versions[key]; ok {
		return shared
	}
	in.versions[key] = v
	return v
}

// constraints shares the parsed Kibana and Agent ranges by their text.
func (in *Interner) constraints(p *Package) (kibana, agent *semver.Constraints) {
	in.mu.Lock()
	defer in.mu.Unlock()
	share := func(kind string, c *semver.Constraints, text string) *semver.Constraints {
		if c == nil {
			return nil
		}
		key := kind + "\x00" + text
		if shared, ok := in.ranges[key]; ok {
			return shared
		}
		in.ranges[key] = c
		return c
	}
	if k := p.Conditions.Kibana; k != nil {
		kibana = share("kibana", p.KibanaConstraint, k.Version)
	}
	if a := p.Conditions.Agent; a != nil {
		agent = share("agent", p.AgentConstraint, a.Version)
	}
	return kibana, agent
}

func (in *Interner) owner(o *Owner) *Owner {
	return sharePtr(&in.mu, in.owners, o, func(o Owner) *Owner {
		return &Owner{Type: in.str(o.Type), Github: in.str(o.Github)}
	})
}

func (in *Interner) source(s *Source) *Source {
	return sharePtr(&in.mu, in.sources, s, func(s Source) *Source {
		return &Source{License: in.str(s.License)}
	})
}

// sharePtr returns the value kept in m for *v, made by build the first
// time; nil stays nil. build runs under mu and must not take it.
func sharePtr[T comparable](mu *sync.Mutex, m map[T]*T, v *T, build func(T) *T) *T {
	if v == nil {
		return nil
	}
	mu.Lock()
	defer mu.Unlock()
	if shared, ok := m[*v]; ok {
		return shared
	}
	c := build(*v)
	m[*v] = c
	return c
}

// conditions shares equal conditions; the key spells out every field,
// presence included, since each one is rendered.
func (in *Interner) conditions(c *Conditions) *Conditions {
	if c == nil {
		return nil
	}
	var b strings.Builder
	if c.Kibana != nil {
		b.WriteString("k" + quoteKey(c.Kibana.Version))
	}
	if c.Elastic != nil {
		b.WriteString("e" + quoteKey(c.Elastic.Subscription))
		if c.Elastic.Capabilities != nil {
			b.WriteString("c")
			for _, cap := range c.Elastic.Capabilities {
				b.WriteString(quoteKey(cap))
			}
		}
	}
	if c.Agent != nil {
		b.WriteString("a" + quoteKey(c.Agent.Version))
	}
	key := b.String()
	var caps []string
	if c.Elastic != nil {
		caps = in.strs(c.Elastic.Capabilities)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if shared, ok := in.conds[key]; ok {
		return shared
	}
	out := &Conditions{}
	if c.Kibana != nil {
		out.Kibana = &KibanaConditions{Version: in.str(c.Kibana.Version)}
	}
	if c.Elastic != nil {
		out.Elastic = &ElasticConditions{Subscription: in.str(c.Elastic.Subscription), Capabilities: caps}
	}
	if c.Agent != nil {
		out.Agent = &AgentConditions{Version: in.str(c.Agent.Version)}
	}
	in.conds[key] = out
	return out
}

// quoteKey length-prefixes s, so that keys built from several values
// cannot collide.
func quoteKey(s string) string {
	return strconv.Itoa(len(s)) + ":" + s
}
