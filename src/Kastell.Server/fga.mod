# Kastell's authorization model: one module per area, combined at start-up (Platform/Authorization/AuthorizationModel.cs).
# A feature adds its own .fga file in its folder and one line here (docs/adding-a-feature.md).
schema: '1.2'
contents:
  - Platform/Authorization/tenancy.fga
  - Features/Organizations/organizations.fga
  - Features/Files/files.fga
  - Features/AuditTrail/audit-trail.fga
  - Features/Teams/teams.fga
  - Features/Access/access.fga
  - Features/ApiAccess/api-access.fga
  - Features/Frameworks/frameworks.fga
  - Features/Controls/controls.fga
  - Features/Domains/domains.fga
  - Features/Assets/assets.fga
  - Features/Evidence/evidence.fga
  - Features/SingleSignOn/sso.fga
