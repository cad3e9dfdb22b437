#!/usr/bin/env bash
# Mutation testing of the security-critical code with Stryker.NET (dotnet-stryker, pinned in dotnet-tools.json).
# Not part of CI: one file group takes minutes to an hour on two cores. See bench/README.md ("Mutation testing").
#
#   bash bench/mutation.sh --list            # the groups: files mutated and test classes run
#   bash bench/mutation.sh totp passwords     # run these groups, one after the other
#   bash bench/mutation.sh all               # every group
#
# Each group mutates a few source files and runs only the test classes that exercise them (Stryker's
# --test-case-filter), one test process at a time (--concurrency 1): the machine is shared. Stryker builds and
# rewrites the assemblies it tests, so it works on a copy of the tree (KASTELL_MUTATION_TREE, default
# /tmp/kastell-mutation-tree, kept between runs for incremental builds): builds in the working tree meanwhile cannot
# replace the mutated assembly under it. Reports: bench/results/mutation/<group>/ (HTML, JSON, Markdown).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
tree="${KASTELL_MUTATION_TREE:-/tmp/kastell-mutation-tree}"
results="$repo/bench/results/mutation"

# group | test project (under tests/) | files to mutate (globs, space-separated) | test classes (FullyQualifiedName~ alternatives)
# [| postgres: also the PostgreSQL variants of the classes; without it only the SQLite ones run, which share the code)
groups=(
  "totp|Kastell.Server.Tests|**/Features/Accounts/Mfa/ReplayProtectedAuthenticatorTokenProvider.cs|TotpWindowTests TotpProviderTests AccountSecurityTests LostPhoneReauthenticationTests"
  "passwords|Kastell.Server.Tests|**/Features/Accounts/Passwords/PolicyPasswordValidator.cs **/Features/Accounts/Passwords/PasswordPolicyResolver.cs **/Features/Accounts/Passwords/CommonPasswordList.cs **/Features/Accounts/Passwords/PasswordHistoryRecorder.cs **/Features/Accounts/Passwords/PasswordHashingOptions.cs|PasswordRuleTests ConfiguredWorkFactorTests PasswordRehashTests PasswordResetTests SecuritySettingsTests"
  "audit-verifier|Kastell.Server.Tests|**/Platform/Audit/AuditChainVerifier.cs **/Platform/Audit/AuditVerifier.cs **/Platform/Audit/AuditHashing.cs|AuditRehashTests AuditChainTests AuditHashingTests AuditChainIndicatorTests"
  "field-encryption|Kastell.Server.Tests|**/Platform/Encryption/FieldCipher.cs **/Platform/Encryption/AesGcmBlob.cs **/Platform/Encryption/EncryptedFields.cs|FieldColumnBindingTests FieldKeyLookupTests EncryptionAtRestTests CryptoShreddingTests"
  "object-encryption|Kastell.Server.Tests|**/Platform/Storage/ObjectCipher.cs|ObjectCipherTests S3StorageTests"
  "permissions|Kastell.Server.Tests|**/Platform/Authorization/Permissions.cs **/Platform/Authorization/PermissionMiddleware.cs **/Platform/Authorization/RequirePermissionAttribute.cs|PermissionCoverageTests SpaceIsolationTests RelationshipTests CrossProcessRevocationTests RequestTupleReadsTests"
  "mfa-gate|Kastell.Server.Tests|**/Features/Accounts/Mfa/MfaEnrolmentGate.cs|MfaGateCoverageTests EnrolmentSessionTests"
  "rate-limits|Kastell.Server.Tests|**/Platform/Security/RateLimiting.cs **/Platform/Security/RateBudgets.cs **/Platform/Security/RateBudget.cs **/Features/Accounts/SignIn/SignInThrottle.cs **/Features/Accounts/SignIn/SignInThrottleBucket.cs|RateLimitTests RateLimitCoverageTests SignInThrottleTests ApiRateLimitTests"
  "sessions|Kastell.Server.Tests|**/Features/Accounts/Sessions/DatabaseTicketStore.cs|SessionLifetimeTests SessionTests"
  "key-rotation|Kastell.Server.Tests|**/Platform/Encryption/DataKeyRotation.cs **/Platform/Encryption/DataKeyReencryption.cs **/Platform/Encryption/DataKeyRing.cs **/Platform/Encryption/KekRotation.cs|RotationInterleavingTests DataKeyRotationTests CryptoShreddingTests KeyProviderTests"
  "tenancy|Kastell.Server.Tests|**/Platform/Tenancy/TenantResolutionMiddleware.cs **/Platform/Data/TenantConnectionInterceptor.cs|TenancyTests SpaceIsolationTests RowLevelSecurityCoverageTests|postgres"
  "upload-scanning|Kastell.Server.Tests|**/Platform/Storage/ClamdScanner.cs **/Platform/Storage/QuarantineRescanner.cs|UploadsTests ScannerStatusTests FileEndpointTests"
)

field() { cut -d'|' -f"$2" <<<"$1"; }

if [[ "${1:-}" == "--list" || $# -eq 0 ]]; then
  for g in "${groups[@]}"; do
    printf '%-17s mutate: %s\n%-17s tests:  %s\n' "$(field "$g" 1)" "$(field "$g" 3)" "" "$(field "$g" 4)"
  done
  exit 0
fi

wanted=("$@")
[[ "${wanted[0]}" == "all" ]] && wanted=($(for g in "${groups[@]}"; do field "$g" 1; done))

# The copy: sources and node modules; bin/obj of earlier runs stay for incremental builds, StrykerOutput is dropped.
mkdir -p "$tree" "$results"
find "$tree" -mindepth 1 \( -name bin -o -name obj \) -prune -o -type f -print0 | xargs -0r rm -f
tar -C "$repo" --exclude=.git --exclude=bin --exclude=obj --exclude=StrykerOutput --exclude=./bench/results \
  --exclude=./.artifacts --exclude=./bench/.spicedb --exclude=./bench/.fuzz -cf - . | tar -C "$tree" -xf -
(cd "$tree" && dotnet tool restore >/dev/null)

for name in "${wanted[@]}"; do
  group=""
  for g in "${groups[@]}"; do [[ "$(field "$g" 1)" == "$name" ]] && group="$g"; done
  [[ -n "$group" ]] || { echo "unknown group: $name (bash bench/mutation.sh --list)" >&2; exit 2; }

  project="$(field "$group" 2)"
  mutate=()
  read -ra globs <<<"$(field "$group" 3)" # word splitting only: the globs are Stryker's, not the shell's
  for glob in "${globs[@]}"; do mutate+=(--mutate "$glob"); done
  filter=""
  read -ra classes <<<"$(field "$group" 4)"
  for class in "${classes[@]}"; do filter+="${filter:+|}FullyQualifiedName~$class"; done
  [[ "$(field "$group" 5)" == "postgres" ]] || filter="($filter)&FullyQualifiedName!~OnPostgres"

  rm -rf "$tree/tests/$project/bin/"*/net10.0/data # stale test data directories
  echo "== $name: $(field "$group" 3)"
  (cd "$tree/tests/$project" && dotnet stryker \
    --test-runner mtp --concurrency 1 --skip-version-check \
    --project Kastell.Server.csproj "${mutate[@]}" \
    --test-case-filter "$filter" \
    --reporter Progress --reporter ClearText --reporter Json --reporter Html --reporter Markdown \
    --output "$results/$name")
done
