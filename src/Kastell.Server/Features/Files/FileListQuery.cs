using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Storage;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Files;

/// <param name="UploadedBy">The uploader's display name; null when they are no longer a member (or it was the system).</param>
internal sealed record FileRow(Guid Id, string Name, long Size, string ContentType, StoredObjectStatus Status, string? UploadedBy, DateTimeOffset UploadedAt);

/// <summary>A Space's files for its page, with the uploaders' names (only of the organization's current members).</summary>
internal sealed class FileListQuery(SpaceFiles files, KastellDbContext db)
{
    public async Task<IReadOnlyList<FileRow>> ListAsync(Guid spaceId, CancellationToken cancellationToken = default)
    {
        var stored = await files.ListAsync(spaceId, cancellationToken);
        var uploaders = stored.Select(f => f.UploadedBy).OfType<Guid>().Distinct().ToList();
        var names = await db.OrganizationMembers.AsNoTracking()
            .Where(m => uploaders.Contains(m.UserId))
            .Join(db.Set<KastellUser>(), m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.DisplayName })
            .ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        return [.. stored.Select(f => new FileRow(f.Id, FileNames.Clean(f.FileName), f.Size, f.ContentType, f.Status,
            f.UploadedBy is { } by && names.TryGetValue(by, out var name) ? name : null, f.CreatedAt))];
    }
}
