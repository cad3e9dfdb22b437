using System.Globalization;
using Kastell.Oscal.Model;
using Kastell.Oscal.Reading;

namespace Kastell.Oscal.Resolution;

/// <summary>
/// Resolves an OSCAL profile into a catalog as the NIST "OSCAL Profile Resolution" specification describes: import
/// (include-all, include-controls by id or glob pattern, with-child-controls, exclude-controls; the ancestors of an
/// included control come with it unless excluded), merge (combine keep or use-first; flat, as-is or custom structure),
/// modify (set-parameters, alters with removes and adds), then back matter, metadata and pruning.
/// </summary>
/// <remarks>
/// Imports are opened only through the caller's <see cref="IOscalDocumentSource"/>: relative hrefs are resolved against
/// the profile's URI (RFC 3986), <c>#uuid</c> hrefs through the profile's back-matter resource, taking its embedded
/// <c>base64</c> or else its <c>rlinks</c> (JSON ones first). As the specification requires, a missing import and a
/// circular import stop the resolution with an error naming them; so do the undefined <c>combine: merge</c> and more
/// than one structuring directive. Conditions the specification makes warnings (a selector, setting or alteration that
/// matches nothing, duplicate controls under <c>keep</c>) are returned as warnings.
/// </remarks>
public static class ProfileResolver
{
    /// <summary>The OSCAL version this resolver implements; the resolved catalog never claims a later one.</summary>
    public const string OscalVersion = "1.1.3";

    /// <summary>The value of the resolved catalog's <c>resolution-tool</c> property.</summary>
    public const string ToolName = "Kastell.Oscal";

    /// <summary>Resolves <paramref name="profile"/>, whose own address is <paramref name="profileUri"/> (absolute).</summary>
    public static OscalResult<Catalog> Resolve(Profile profile, Uri profileUri, IOscalDocumentSource source, ProfileResolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(profileUri);
        ArgumentNullException.ThrowIfNull(source);
        if (!profileUri.IsAbsoluteUri)
        {
            throw new ArgumentException("the profile's URI must be absolute", nameof(profileUri));
        }

        var run = new Run(source, options ?? ProfileResolverOptions.Default);
        var catalog = run.ResolveTop(profile, profileUri);
        return catalog is not null && run.Error is null
            ? OscalResult<Catalog>.Success(catalog, run.Warnings)
            : OscalResult<Catalog>.Failure([run.Error ?? new OscalError(OscalErrorCode.ImportInvalid, "", "resolution failed")], run.Warnings);
    }

    /// <summary>Reads the profile at <paramref name="profileUri"/> from <paramref name="source"/> and resolves it.</summary>
    public static OscalResult<Catalog> Resolve(Uri profileUri, IOscalDocumentSource source, ProfileResolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(profileUri);
        ArgumentNullException.ThrowIfNull(source);
        options ??= ProfileResolverOptions.Default;
        using var stream = source.Open(profileUri);
        if (stream is null)
        {
            return OscalResult<Catalog>.Failure(new OscalError(OscalErrorCode.ImportNotFound, "", $"the profile {profileUri} was not found", profileUri.ToString()));
        }

        var read = OscalReader.Read(stream, options.Reader);
        if (!read.IsSuccess)
        {
            return OscalResult<Catalog>.Failure([.. read.Errors.Select(e => e with { Document = profileUri.ToString() })]);
        }

        return read.Value.Profile is { } profile
            ? Resolve(profile, profileUri, source, options)
            : OscalResult<Catalog>.Failure(new OscalError(OscalErrorCode.UnsupportedDocument, "", $"expected a profile, found a {OscalReader.Name(read.Value.Kind)}", profileUri.ToString()));
    }

    /// <summary>One resolution: the caches, the import stack and the first error.</summary>
    private sealed class Run(IOscalDocumentSource source, ProfileResolverOptions options)
    {
        private const int MaxWarnings = 1000;

        private readonly Dictionary<string, OscalResult<OscalDocument>> _documents = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Catalog> _resolvedProfiles = new(StringComparer.Ordinal);
        private readonly List<string> _stack = [];
        private readonly Dictionary<Profile, Dictionary<string, Resource>> _resourcesByProfile = new(ReferenceEqualityComparer.Instance);

        public List<OscalError> Warnings { get; } = [];

        public OscalError? Error { get; private set; }

        public Catalog? ResolveTop(Profile profile, Uri uri)
        {
            var key = Key(uri);
            _stack.Add(key);
            var catalog = ResolveProfile(profile, uri);
            _stack.RemoveAt(_stack.Count - 1);
            return catalog;
        }

        private Catalog? ResolveProfile(Profile profile, Uri uri)
        {
            var document = uri.ToString();
            var merge = profile.Merge;
            var structures = (merge?.Flat == true ? 1 : 0) + (merge?.AsIs == true ? 1 : 0) + (merge?.Custom is not null ? 1 : 0);
            if (structures > 1)
            {
                return Fail(OscalErrorCode.InvalidMerge, "/profile/merge", "more than one structuring directive (flat, as-is, custom); give one", document);
            }

            var method = merge?.Combine ?? CombineMethod.Keep;
            if (method == CombineMethod.Merge)
            {
                return Fail(OscalErrorCode.InvalidMerge, "/profile/merge/combine/method", "the combine method \"merge\" is deprecated and undefined by the profile resolution specification; use \"keep\" or \"use-first\"", document);
            }

            var seen = method == CombineMethod.UseFirst ? new HashSet<string>(StringComparer.Ordinal) : null;
            var imported = new List<Catalog>();
            var selections = new List<Catalog>();
            var versions = new List<(string Version, string Where)> { (profile.Metadata.OscalVersion, document) };
            var total = 0;
            for (var i = 0; i < profile.Imports.Count; i++)
            {
                var pointer = $"/profile/imports/{i}";
                var source = Import(profile, uri, i);
                if (source is null)
                {
                    return null;
                }

                imported.Add(source);
                versions.Add((source.Metadata.OscalVersion, $"{document} {pointer}"));
                var selection = Selection.Select(source, profile.Imports[i], seen, message => Warn(OscalErrorCode.DirectiveMatchedNothing, pointer, message, document));
                total += selection.AllControls().Count();
                if (total > options.MaxControls)
                {
                    return Fail(OscalErrorCode.TooManyControls, pointer, $"the resolution would hold more than {options.MaxControls} controls", document);
                }

                selections.Add(selection);
            }

            var oscalVersion = CombineVersions(versions, document);
            if (oscalVersion is null)
            {
                return null;
            }

            var body = merge?.Custom is { } custom
                ? Structuring.Custom(selections, custom, message => Warn(OscalErrorCode.DirectiveMatchedNothing, "/profile/merge/custom", message, document))
                : merge?.AsIs == true
                    ? Structuring.AsIs(selections)
                    : Structuring.Flat(selections);

            if (method == CombineMethod.Keep)
            {
                foreach (var duplicate in body.AllControls().GroupBy(c => c.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
                {
                    Warn(OscalErrorCode.DuplicateControl, "/profile/imports", $"control \"{duplicate.Key}\" appears {duplicate.Count()} times (combine method keep)", document);
                }
            }

            var settings = profile.Modify?.SetParameters ?? [];
            var matchedParams = new HashSet<string>(StringComparer.Ordinal);
            body = Modification.SetParameters(body, settings, matchedParams);
            foreach (var id in settings.Select(s => s.ParamId).Distinct(StringComparer.Ordinal).Where(id => !matchedParams.Contains(id)))
            {
                Warn(OscalErrorCode.DirectiveMatchedNothing, "/profile/modify/set-parameters", $"no parameter \"{id}\"", document);
            }

            var unmatched = new List<string>();
            body = Modification.Alter(body, profile.Modify?.Alters ?? [], unmatched);
            foreach (var message in unmatched)
            {
                Warn(OscalErrorCode.DirectiveMatchedNothing, "/profile/modify/alters", message, document);
            }

            var metadata = profile.Metadata with
            {
                LastModified = options.TimeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
                OscalVersion = oscalVersion,
                Props =
                [
                    new Property { Name = "resolution-tool", Value = ToolName },
                    new Property { Name = "source-profile", Value = document },
                    .. profile.Metadata.Props.Where(p => !(p.Ns is null && p.Name is "resolution-tool" or "source-profile")),
                ],
            };
            var resolved = body with
            {
                Uuid = options.NewUuid().ToString(),
                Metadata = metadata,
            };
            return Prune(resolved, imported, profile, matchedParams);
        }

        /// <summary>Opens, reads and (for profiles) resolves import <paramref name="index"/> of <paramref name="profile"/>.</summary>
        private Catalog? Import(Profile profile, Uri uri, int index)
        {
            var document = uri.ToString();
            var pointer = $"/profile/imports/{index}/href";
            var href = profile.Imports[index].Href;
            var candidates = new List<Uri>();
            ReadOnlyMemory<byte>? embedded = null;
            Uri? embeddedUri = null;
            if (href.StartsWith('#'))
            {
                var uuid = href[1..];
                var resource = ResourcesOf(profile).GetValueOrDefault(uuid);
                if (resource is null)
                {
                    return Fail(OscalErrorCode.ImportNotFound, pointer, $"import \"{href}\" not found: no back-matter resource with uuid {uuid}", document);
                }

                if (resource.Base64 is { } base64)
                {
                    embeddedUri = new Uri(uri, "#" + uuid);
                    embedded = Decode(base64.Value, options.Reader.MaxDocumentBytes);
                    if (embedded is null)
                    {
                        return Fail(OscalErrorCode.ImportInvalid, pointer, $"import \"{href}\": the resource's base64 content is not valid Base64 or exceeds the document size limit", document);
                    }
                }
                else
                {
                    // Any rlink may be used (specification); JSON is what this library reads, so JSON ones go first.
                    foreach (var rlink in resource.Rlinks.OrderBy(r => LooksLikeJson(r) ? 0 : 1))
                    {
                        if (Uri.TryCreate(uri, rlink.Href, out var candidate))
                        {
                            candidates.Add(candidate);
                        }
                    }

                    if (candidates.Count == 0)
                    {
                        return Fail(OscalErrorCode.ImportNotFound, pointer, $"import \"{href}\" not found: the resource {uuid} has no usable rlink or base64 content", document);
                    }
                }
            }
            else if (Uri.TryCreate(uri, href, out var target))
            {
                candidates.Add(target);
            }
            else
            {
                return Fail(OscalErrorCode.ImportNotFound, pointer, $"import \"{href}\" not found: not a valid URI reference", document);
            }

            OscalResult<OscalDocument>? read = null;
            Uri? at = null;
            if (embedded is { } bytes)
            {
                at = embeddedUri!;
                if (!CheckCycle(at, pointer, document))
                {
                    return null;
                }

                read = OscalReader.Read(bytes, options.Reader);
            }
            else
            {
                foreach (var candidate in candidates)
                {
                    if (!CheckCycle(candidate, pointer, document))
                    {
                        return null;
                    }

                    read = Open(candidate, pointer, document);
                    if (Error is not null)
                    {
                        return null;
                    }

                    if (read is not null)
                    {
                        at = candidate;
                        break;
                    }
                }
            }

            if (read is null || at is null)
            {
                var tried = string.Join(", ", candidates.Select(c => c.ToString()));
                return Fail(OscalErrorCode.ImportNotFound, pointer, $"import \"{href}\" not found (looked for {tried})", document);
            }

            if (!read.IsSuccess)
            {
                var inner = read.Errors[0];
                return Fail(OscalErrorCode.ImportInvalid, pointer, $"import \"{href}\" ({at}) cannot be read: {inner}", document);
            }

            switch (read.Value.Kind)
            {
                case OscalDocumentKind.Catalog:
                    return read.Value.Catalog;
                case OscalDocumentKind.Profile:
                    var key = Key(at);
                    if (_resolvedProfiles.TryGetValue(key, out var cached))
                    {
                        return cached;
                    }

                    if (_stack.Count >= options.MaxImportDepth)
                    {
                        return Fail(OscalErrorCode.TooManyImports, pointer, $"profiles import profiles more than {options.MaxImportDepth} levels deep", document);
                    }

                    _stack.Add(key);
                    var resolved = ResolveProfile(read.Value.Profile!, at);
                    _stack.RemoveAt(_stack.Count - 1);
                    if (resolved is not null)
                    {
                        _resolvedProfiles[key] = resolved;
                    }

                    return resolved;
                default:
                    return Fail(OscalErrorCode.ImportInvalid, pointer, $"import \"{href}\" ({at}) is a {OscalReader.Name(read.Value.Kind)}, not a catalog or profile", document);
            }
        }

        // The back matter of a profile by uuid (the first of equal uuids), built once per profile.
        private Dictionary<string, Resource> ResourcesOf(Profile profile)
        {
            if (!_resourcesByProfile.TryGetValue(profile, out var byUuid))
            {
                byUuid = new Dictionary<string, Resource>(StringComparer.Ordinal);
                foreach (var resource in profile.BackMatter?.Resources ?? [])
                {
                    byUuid.TryAdd(resource.Uuid, resource);
                }

                _resourcesByProfile[profile] = byUuid;
            }

            return byUuid;
        }

        private bool CheckCycle(Uri target, string pointer, string document)
        {
            var key = Key(target);
            var at = _stack.IndexOf(key);
            if (at < 0)
            {
                return true;
            }

            var chain = string.Join(" → ", _stack.Skip(at).Append(key));
            Fail(OscalErrorCode.ImportCycle, pointer, $"circular import: {chain}", document);
            return false;
        }

        /// <summary>Reads a document once per URI (the specification assumes a URI always yields the same document).</summary>
        private OscalResult<OscalDocument>? Open(Uri uri, string pointer, string document)
        {
            var key = Key(uri);
            if (_documents.TryGetValue(key, out var cached))
            {
                return cached;
            }

            if (_documents.Count >= options.MaxDocuments)
            {
                Fail(OscalErrorCode.TooManyImports, pointer, $"more than {options.MaxDocuments} documents imported", document);
                return null;
            }

            using var stream = source.Open(uri);
            if (stream is null)
            {
                return null;
            }

            var read = OscalReader.Read(stream, options.Reader);
            _documents[key] = read;
            return read;
        }

        private Catalog Prune(Catalog catalog, List<Catalog> imported, Profile profile, HashSet<string> setParams)
        {
            var references = References.Of(catalog);

            // Loose parameters stay only when something inserts them or the profile sets them.
            bool Used(Parameter p) => references.InsertedParams.Contains(p.Id) || setParams.Contains(p.Id) || KeepAlways(p.Props);
            Group PruneGroup(Group g) => g with { Params = [.. g.Params.Where(Used)], Groups = [.. g.Groups.Select(PruneGroup)] };
            catalog = catalog with
            {
                Params = [.. catalog.Params.Where(Used)],
                Groups = [.. catalog.Groups.Select(PruneGroup)],
            };

            // Back matter: the imports' resources in import order, then the profile's; a later one with the same uuid
            // replaces an earlier one unless only the earlier is marked keep=always. Kept when referred to as #uuid.
            var resources = new List<Resource?>();
            var positions = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var resource in imported.SelectMany(c => c.BackMatter?.Resources ?? []).Concat(profile.BackMatter?.Resources ?? []))
            {
                if (positions.TryGetValue(resource.Uuid, out var previous))
                {
                    if (KeepAlways(resources[previous]!.Props) && !KeepAlways(resource.Props))
                    {
                        continue;
                    }

                    resources[previous] = null;
                }

                positions[resource.Uuid] = resources.Count;
                resources.Add(resource);
            }

            var kept = resources.OfType<Resource>().Where(r => references.Fragments.Contains(r.Uuid) || KeepAlways(r.Props)).ToList();
            return catalog with { BackMatter = kept.Count == 0 ? null : new BackMatter { Resources = kept } };
        }

        private string? CombineVersions(List<(string Version, string Where)> versions, string document)
        {
            // The most recent minor version among the inputs, but never later than the version implemented here.
            var tool = ParseVersion(OscalVersion)!.Value;
            (int Major, int Minor, int Patch)? best = null;
            foreach (var (text, where) in versions)
            {
                if (ParseVersion(text) is not { } version)
                {
                    continue;
                }

                if (version.Major != tool.Major)
                {
                    Fail(OscalErrorCode.IncompatibleOscalVersion, "/profile/metadata/oscal-version", $"{where} is OSCAL {text}; this resolver reads OSCAL {tool.Major}.x", document);
                    return null;
                }

                if (best is null || version.CompareTo(best.Value) > 0)
                {
                    best = version;
                }
            }

            return best is null || best.Value.CompareTo(tool) >= 0
                ? OscalVersion
                : $"{best.Value.Major}.{best.Value.Minor}.{best.Value.Patch}";
        }

        private static (int Major, int Minor, int Patch)? ParseVersion(string text)
        {
            var parts = text.TrimStart('v').Split('.', '-', '+');
            if (parts.Length < 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
            {
                return null;
            }

            var patch = parts.Length > 2 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
            return (major, minor, patch);
        }

        private static bool KeepAlways(IReadOnlyList<Property> props) => props.Any(p => p.Name == "keep" && p.Value == "always");

        private static bool LooksLikeJson(ResourceLink rlink) =>
            rlink.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true
            || rlink.Href.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

        private static ReadOnlyMemory<byte>? Decode(string base64, long maxBytes)
        {
            if ((long)base64.Length / 4 * 3 > maxBytes)
            {
                return null;
            }

            var buffer = new byte[(base64.Length / 4 * 3) + 3];
            return Convert.TryFromBase64String(base64, buffer, out var written) ? buffer.AsMemory(0, written) : null;
        }

        // The fragment stays: an embedded (base64) resource is addressed as profile#uuid.
        private static string Key(Uri uri) => uri.AbsoluteUri;

        // A hostile profile could ask for millions of warnings (one per unknown id); the first thousand tell enough.
        private void Warn(OscalErrorCode code, string pointer, string message, string document)
        {
            if (Warnings.Count < MaxWarnings)
            {
                Warnings.Add(new OscalError(code, pointer, message, document));
            }
            else if (Warnings.Count == MaxWarnings)
            {
                Warnings.Add(new OscalError(code, "", "more warnings were left out", document));
            }
        }

        private Catalog? Fail(OscalErrorCode code, string pointer, string message, string document)
        {
            Error ??= new OscalError(code, pointer, message, document);
            return null;
        }
    }
}
