package schema

// Schema URNs of RFC 7643.
const (
	UserSchemaURN           = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchemaURN          = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseUserSchemaURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	// CoreSchemaPrefix starts the URN of every core schema of RFC 7643.
	// No extension lives under it.
	CoreSchemaPrefix = "urn:ietf:params:scim:schemas:core:"
)

// str returns a simple string attribute.
func str(name, desc string) *Attribute {
	return &Attribute{Name: name, Type: TypeString, Description: desc}
}

// multi returns a complex multi-valued attribute with the usual value,
// display, type and primary sub-attributes (RFC 7643 §2.4).
func multi(name, desc string, valueType Type, types ...string) *Attribute {
	value := &Attribute{Name: "value", Type: valueType, Description: "The value of the " + name + " entry."}
	if valueType == TypeReference {
		value.ReferenceTypes = []string{"external"}
		value.CaseExact = true
	}
	if valueType == TypeBinary {
		value.CaseExact = true
	}
	return &Attribute{
		Name: name, Type: TypeComplex, MultiValued: true, Description: desc,
		SubAttributes: []*Attribute{
			value,
			str("display", "A human-readable name, primarily used for display purposes."),
			{Name: "type", Type: TypeString, CanonicalValues: types, Description: "A label indicating the attribute's function."},
			{Name: "primary", Type: TypeBoolean, Description: "Whether this is the primary or preferred value."},
		},
	}
}

// CommonAttributes returns the attributes of RFC 7643 §3.1 that every
// resource has: id, externalId and meta.
func CommonAttributes() []*Attribute {
	return []*Attribute{
		{Name: "id", Type: TypeString, CaseExact: true, Mutability: ReadOnly, Returned: ReturnedAlways, Uniqueness: UniquenessServer,
			Description: "Unique identifier for the SCIM resource as defined by the service provider."},
		{Name: "externalId", Type: TypeString, CaseExact: true,
			Description: "Identifier for the resource as defined by the provisioning client."},
		{Name: "meta", Type: TypeComplex, Mutability: ReadOnly, Description: "Resource metadata.",
			SubAttributes: []*Attribute{
				{Name: "resourceType", Type: TypeString, CaseExact: true, Mutability: ReadOnly},
				{Name: "created", Type: TypeDateTime, Mutability: ReadOnly},
				{Name: "lastModified", Type: TypeDateTime, Mutability: ReadOnly},
				{Name: "location", Type: TypeReference, ReferenceTypes: []string{"uri"}, CaseExact: true, Mutability: ReadOnly},
				{Name: "version", Type: TypeString, CaseExact: true, Mutability: ReadOnly},
			}},
	}
}

// UserSchema returns the core User schema of RFC 7643 §4.1 (a new value on
// every call).
func UserSchema() *Schema {
	return &Schema{
		ID: UserSchemaURN, Name: "User", Description: "User Account",
		Attributes: []*Attribute{
			{Name: "userName", Type: TypeString, Required: true, Uniqueness: UniquenessServer,
				Description: "Unique identifier for the User, typically used by the user to directly authenticate to the service provider."},
			{Name: "name", Type: TypeComplex, Description: "The components of the user's real name.",
				SubAttributes: []*Attribute{
					str("formatted", "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
					str("familyName", "The family name of the User, or last name."),
					str("givenName", "The given name of the User, or first name."),
					str("middleName", "The middle name(s) of the User."),
					str("honorificPrefix", "The honorific prefix(es) of the User, or title."),
					str("honorificSuffix", "The honorific suffix(es) of the User, or suffix."),
				}},
			str("displayName", "The name of the User, suitable for display to end-users."),
			str("nickName", "The casual way to address the user in real life."),
			{Name: "profileUrl", Type: TypeReference, ReferenceTypes: []string{"external"}, Description: "A fully qualified URL pointing to a page representing the User's online profile."},
			str("title", "The user's title, such as \"Vice President\"."),
			str("userType", "Used to identify the relationship between the organization and the user."),
			str("preferredLanguage", "Indicates the User's preferred written or spoken language."),
			str("locale", "Used to indicate the User's default location for purposes of localizing items."),
			str("timezone", "The User's time zone in the 'Olson' time zone database format."),
			{Name: "active", Type: TypeBoolean, Description: "A Boolean value indicating the User's administrative status."},
			{Name: "password", Type: TypeString, Mutability: WriteOnly, Returned: ReturnedNever,
				Description: "The User's cleartext password. Gatehouse never stores or returns it."},
			multi("emails", "Email addresses for the user.", TypeString, "work", "home", "other"),
			multi("phoneNumbers", "Phone numbers for the User.", TypeString, "work", "home", "mobile", "fax", "pager", "other"),
			multi("ims", "Instant messaging addresses for the User.", TypeString, "aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"),
			multi("photos", "URLs of photos of the User.", TypeReference, "photo", "thumbnail"),
			{Name: "addresses", Type: TypeComplex, MultiValued: true, Description: "A physical mailing address for this User.",
				SubAttributes: []*Attribute{
					str("formatted", "The full mailing address, formatted for display."),
					str("streetAddress", "The full street address component."),
					str("locality", "The city or locality component."),
					str("region", "The state or region component."),
					str("postalCode", "The zip code or postal code component."),
					str("country", "The country name component."),
					{Name: "type", Type: TypeString, CanonicalValues: []string{"work", "home", "other"}, Description: "A label indicating the attribute's function."},
					{Name: "primary", Type: TypeBoolean, Description: "Whether this is the primary or preferred address."},
				}},
			{Name: "groups", Type: TypeComplex, MultiValued: true, Mutability: ReadOnly,
				Description: "A list of groups to which the user belongs, either through direct membership or through nested groups.",
				SubAttributes: []*Attribute{
					{Name: "value", Type: TypeString, CaseExact: true, Mutability: ReadOnly, Description: "The identifier of the User's group."},
					{Name: "$ref", Type: TypeReference, ReferenceTypes: []string{"User", "Group"}, CaseExact: true, Mutability: ReadOnly},
					{Name: "display", Type: TypeString, Mutability: ReadOnly},
					{Name: "type", Type: TypeString, CanonicalValues: []string{"direct", "indirect"}, Mutability: ReadOnly},
				}},
			multi("entitlements", "A list of entitlements for the User.", TypeString),
			multi("roles", "A list of roles for the User.", TypeString),
			multi("x509Certificates", "A list of certificates issued to the User.", TypeBinary),
		},
	}
}

// EnterpriseUserSchema returns the enterprise User extension of RFC 7643
// §4.3 (a new value on every call).
func EnterpriseUserSchema() *Schema {
	return &Schema{
		ID: EnterpriseUserSchemaURN, Name: "EnterpriseUser", Description: "Enterprise User",
		Attributes: []*Attribute{
			str("employeeNumber", "Numeric or alphanumeric identifier assigned to a person."),
			str("costCenter", "Identifies the name of a cost center."),
			str("organization", "Identifies the name of an organization."),
			str("division", "Identifies the name of a division."),
			str("department", "Identifies the name of a department."),
			{Name: "manager", Type: TypeComplex, Description: "The User's manager.",
				SubAttributes: []*Attribute{
					{Name: "value", Type: TypeString, Description: "The id of the SCIM resource representing the User's manager."},
					{Name: "$ref", Type: TypeReference, ReferenceTypes: []string{"User"}, CaseExact: true, Description: "The URI of the SCIM resource representing the User's manager."},
					{Name: "displayName", Type: TypeString, Mutability: ReadOnly, Description: "The displayName of the User's manager."},
				}},
		},
	}
}

// UserResourceType returns the User resource type: the core User schema
// with the enterprise extension (a new value on every call).
func UserResourceType() *ResourceType {
	return &ResourceType{
		ID: "User", Name: "User", Endpoint: "/Users", Description: "User Account",
		Schema:     UserSchema(),
		Extensions: []Extension{{Schema: EnterpriseUserSchema()}},
		Common:     CommonAttributes(),
	}
}
