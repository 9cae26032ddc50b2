package patch

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/gatehouse-go/gatehouse/scimkit/internal/schema"
)

type fixture struct {
	ResourceType string          `json:"resourceType"`
	Before       map[string]any  `json:"before"`
	Request      json.RawMessage `json:"request"`
	After        map[string]any  `json:"after"`
}

func fixtureFiles(t testing.TB) []string {
	files, err := filepath.Glob("testdata/*/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	return files
}

func loadFixture(t testing.TB, file string) fixture {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func resourceType(name string) *schema.ResourceType {
	if name == "Group" {
		return schema.GroupResourceType()
	}
	return schema.UserResourceType()
}

// jsonEqual compares two decoded JSON values after a round trip, so that
// json.Number and float64 compare by value.
func jsonEqual(t testing.TB, got, want any) bool {
	t.Helper()
	norm := func(v any) any {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var out any
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	return reflect.DeepEqual(norm(got), norm(want))
}

func TestFixtures(t *testing.T) {
	for _, file := range fixtureFiles(t) {
		t.Run(file, func(t *testing.T) {
			f := loadFixture(t, file)
			rt := resourceType(f.ResourceType)
			ops, err := ParseRequest(f.Request, Limits{})
			if err != nil {
				t.Fatalf("ParseRequest: %v", err)
			}
			pristine := schema.Clone(f.Before)
			got, err := Apply(f.Before, ops, rt)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if !jsonEqual(t, got, f.After) {
				g, _ := json.MarshalIndent(got, "", "  ")
				t.Errorf("Apply =\n%s", g)
			}
			if !reflect.DeepEqual(f.Before, pristine) {
				t.Error("Apply modified its input")
			}
			if f.ResourceType == "Group" {
				checkMemberOps(t, f, ops, rt)
			}
		})
	}
}

// checkMemberOps applies the request the way a server with a membership
// table does and checks it reaches the same group as Apply.
func checkMemberOps(t *testing.T, f fixture, ops []Operation, rt *schema.ResourceType) {
	t.Helper()
	delta, rest, err := MemberOps(ops, rt)
	if err != nil {
		t.Fatalf("MemberOps: %v", err)
	}
	group := schema.Clone(f.Before).(map[string]any)
	var members []string
	for _, m := range elements(group["members"]) {
		members = append(members, m.(map[string]any)["value"].(string))
	}
	delete(group, "members")
	got, err := Apply(group, rest, rt)
	if err != nil {
		t.Fatalf("Apply(rest): %v", err)
	}
	if delta.Replace {
		members = nil
	}
	members = slices.DeleteFunc(members, func(id string) bool { return slices.Contains(delta.Removed, id) })
	for _, id := range delta.Added {
		if !slices.Contains(members, id) {
			members = append(members, id)
		}
	}
	var want []string
	for _, m := range elements(f.After["members"]) {
		want = append(want, m.(map[string]any)["value"].(string))
	}
	slices.Sort(members)
	slices.Sort(want)
	if !slices.Equal(members, want) {
		t.Errorf("members via MemberOps = %v, want %v (delta %+v)", members, want, delta)
	}
	wantGroup := schema.Clone(f.After).(map[string]any)
	delete(wantGroup, "members")
	if !jsonEqual(t, got, wantGroup) {
		t.Errorf("group via MemberOps = %v, want %v", got, wantGroup)
	}
}
