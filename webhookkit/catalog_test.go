package webhookkit_test

import (
	"slices"
	"testing"

	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/webhookkit"
)

// The catalogue repeats the names scimkit and ssokit write (the kit
// packages do not import each other); this keeps them in step.
func TestCatalogMatchesEmitters(t *testing.T) {
	pairs := []struct{ ours, emitted string }{
		{webhookkit.EventDirectoryUserCreated, scimkit.EventUserCreated},
		{webhookkit.EventDirectoryUserUpdated, scimkit.EventUserUpdated},
		{webhookkit.EventDirectoryUserDeleted, scimkit.EventUserDeleted},
		{webhookkit.EventDirectoryGroupCreated, scimkit.EventGroupCreated},
		{webhookkit.EventDirectoryGroupUpdated, scimkit.EventGroupUpdated},
		{webhookkit.EventDirectoryGroupDeleted, scimkit.EventGroupDeleted},
		{webhookkit.EventDirectoryGroupUserAdded, scimkit.EventGroupUserAdded},
		{webhookkit.EventDirectoryGroupUserRemoved, scimkit.EventGroupUserRemoved},
		{webhookkit.EventDirectoryEnabled, scimkit.EventDirectoryEnabled},
		{webhookkit.EventDirectoryDisabled, scimkit.EventDirectoryDisabled},
		{webhookkit.EventSAMLCertificateRenewalRequired, ssokit.EventSAMLCertificateRenewalRequired},
	}
	all := webhookkit.EventTypes()
	for _, p := range pairs {
		if p.ours != p.emitted {
			t.Errorf("catalogue has %q, the kit emits %q", p.ours, p.emitted)
		}
		if !slices.Contains(all, p.ours) {
			t.Errorf("EventTypes lacks %q", p.ours)
		}
	}
	seen := map[string]bool{}
	for _, e := range all {
		if seen[e] {
			t.Errorf("EventTypes lists %q twice", e)
		}
		seen[e] = true
	}
}
