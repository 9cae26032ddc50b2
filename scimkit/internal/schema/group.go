package schema

// GroupSchema returns the core Group schema of RFC 7643 §4.2 (a new value
// on every call). members.value is case-exact: it holds ids the kit assigns.
// members.display is not in the RFC's schema listing but the RFC's examples
// and Okta send it, so it is accepted.
func GroupSchema() *Schema {
	return &Schema{
		ID: GroupSchemaURN, Name: "Group", Description: "Group",
		Attributes: []*Attribute{
			{Name: "displayName", Type: TypeString, Required: true, Uniqueness: UniquenessServer,
				Description: "A human-readable name for the Group."},
			{Name: "members", Type: TypeComplex, MultiValued: true, Description: "A list of members of the Group.",
				SubAttributes: []*Attribute{
					{Name: "value", Type: TypeString, CaseExact: true, Mutability: Immutable, Description: "Identifier of the member of this Group."},
					{Name: "$ref", Type: TypeReference, ReferenceTypes: []string{"User", "Group"}, CaseExact: true, Mutability: Immutable,
						Description: "The URI corresponding to a SCIM resource that is a member of this Group."},
					{Name: "type", Type: TypeString, CanonicalValues: []string{"User", "Group"}, Mutability: Immutable,
						Description: "A label indicating the type of resource, e.g., 'User' or 'Group'."},
					{Name: "display", Type: TypeString, Description: "A human-readable name of the member."},
				}},
		},
	}
}

// GroupResourceType returns the Group resource type (a new value on every
// call).
func GroupResourceType() *ResourceType {
	return &ResourceType{
		ID: "Group", Name: "Group", Endpoint: "/Groups", Description: "Group",
		Schema: GroupSchema(),
		Common: CommonAttributes(),
	}
}
