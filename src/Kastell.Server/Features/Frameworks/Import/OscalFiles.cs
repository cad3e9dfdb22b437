using System.Security.Cryptography;
using Kastell.Oscal;
using Kastell.Oscal.Model;
using Kastell.Oscal.Reading;
using Kastell.Oscal.Resolution;

namespace Kastell.Server.Features.Frameworks.Import;

/// <summary>A file handed to an import: its name (only for matching a profile's imports) and its bytes.</summary>
internal sealed record OscalFile(string Name, ReadOnlyMemory<byte> Content);

/// <summary>A framework ready to import: the document read and, for a profile, resolved into its catalog.</summary>
internal sealed record LoadedFramework(
    OscalDocumentKind Kind, string Title, string Version, string LastModified, string DocumentUuid, Catalog Catalog, IReadOnlyList<OscalError> Warnings);

/// <summary>
/// Reads an uploaded or named OSCAL file and resolves a profile against the catalogs handed along with it. Nothing
/// is fetched: an import the companions cannot serve is an <see cref="OscalErrorCode.ImportNotFound"/> naming it.
/// A companion serves an import whose file name it carries (a flat folder of a publisher's tree), or whose content
/// matches a hash the profile's back matter states for the import (a file renamed on the way).
/// </summary>
internal static class OscalFiles
{
    /// <summary>Where the main document is placed, so that relative imports resolve to URIs under it and nowhere real.</summary>
    private static readonly Uri Base = new("https://import.kastell.invalid/a/b/c/d/");

    public static (LoadedFramework? Framework, IReadOnlyList<OscalError> Errors) Load(OscalFile main, IReadOnlyList<OscalFile> companions)
    {
        var read = OscalReader.Read(main.Content);
        if (!read.IsSuccess)
        {
            return (null, read.Errors);
        }

        var document = read.Value;
        switch (document.Kind)
        {
            case OscalDocumentKind.Catalog:
                var catalog = document.Catalog!;
                return (Loaded(document, catalog, read.Warnings), []);
            case OscalDocumentKind.Profile:
                var uri = new Uri(Base, Uri.EscapeDataString(SafeName(main.Name)));
                var source = new CompanionSource(uri, main.Content, document.Profile!, companions);
                var resolved = ProfileResolver.Resolve(document.Profile!, uri, source);
                return resolved.IsSuccess
                    ? (Loaded(document, resolved.Value, [.. read.Warnings, .. resolved.Warnings]), [])
                    : (null, resolved.Errors);
            default:
                return (null, [new OscalError(OscalErrorCode.UnsupportedDocument, "/mapping-collection",
                    "a mapping collection links two frameworks and is not one itself; import the frameworks it maps")]);
        }
    }

    private static LoadedFramework Loaded(OscalDocument document, Catalog catalog, IReadOnlyList<OscalError> warnings) =>
        new(document.Kind, document.Metadata.Title.Trim(), document.Metadata.Version, document.Metadata.LastModified,
            document.Catalog?.Uuid ?? document.Profile!.Uuid, catalog, warnings);

    private static string SafeName(string name)
    {
        var file = Path.GetFileName(name.Replace('\\', '/'));
        return file.Length == 0 ? "document.json" : file;
    }

    private sealed class CompanionSource : IOscalDocumentSource
    {
        private readonly Uri _mainUri;
        private readonly ReadOnlyMemory<byte> _main;
        private readonly IReadOnlyList<OscalFile> _companions;
        private readonly Dictionary<string, IReadOnlyList<ContentHash>> _expectedHashes = new(StringComparer.Ordinal);

        public CompanionSource(Uri mainUri, ReadOnlyMemory<byte> main, Profile profile, IReadOnlyList<OscalFile> companions)
        {
            _mainUri = mainUri;
            _main = main;
            _companions = companions;
            foreach (var resource in profile.BackMatter?.Resources ?? [])
            {
                foreach (var rlink in resource.Rlinks.Where(r => r.Hashes.Count > 0))
                {
                    if (Uri.TryCreate(mainUri, rlink.Href, out var target))
                    {
                        _expectedHashes[Key(target)] = rlink.Hashes;
                    }
                }
            }
        }

        public Stream? Open(Uri uri)
        {
            if (Key(uri) == Key(_mainUri))
            {
                return Stream(_main);
            }

            var name = Uri.UnescapeDataString(uri.Segments[^1]);
            var byName = _companions.FirstOrDefault(c => string.Equals(SafeName(c.Name), name, StringComparison.Ordinal));
            if (byName is not null)
            {
                return Stream(byName.Content);
            }

            if (_expectedHashes.TryGetValue(Key(uri), out var hashes))
            {
                var byHash = _companions.FirstOrDefault(c => hashes.Any(h => Matches(h, c.Content.Span)));
                if (byHash is not null)
                {
                    return Stream(byHash.Content);
                }
            }

            return null;
        }

        private static bool Matches(ContentHash hash, ReadOnlySpan<byte> content)
        {
            byte[]? digest = hash.Algorithm.ToUpperInvariant() switch
            {
                "SHA-256" or "SHA256" => SHA256.HashData(content),
                "SHA-384" or "SHA384" => SHA384.HashData(content),
                "SHA-512" or "SHA512" => SHA512.HashData(content),
                // MD5 only identifies which file was meant (a publisher's choice); the content is then read and validated like any other.
#pragma warning disable CA5351
                "MD5" => MD5.HashData(content),
#pragma warning restore CA5351
                _ => null,
            };
            return digest is not null && string.Equals(Convert.ToHexStringLower(digest), hash.Value.Trim().ToLowerInvariant(), StringComparison.Ordinal);
        }

        private static MemoryStream Stream(ReadOnlyMemory<byte> content) => new(content.ToArray(), writable: false);

        private static string Key(Uri uri) => uri.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.Fragment, UriFormat.UriEscaped);
    }
}
