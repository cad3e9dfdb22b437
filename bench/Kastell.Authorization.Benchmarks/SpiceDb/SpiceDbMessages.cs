namespace Kastell.Authorization.Benchmarks.SpiceDb;

/// <summary>
/// Encoders for the authzed.api.v1 messages the benchmark sends (field numbers from authzed/api v1:
/// core.proto, permission_service.proto, schema_service.proto).
/// </summary>
internal static class SpiceDbMessages
{
    private const int TouchOperation = 2;
    private const int HasPermission = 2;

    /// <summary>How fresh a read must be; SpiceDB's default is minimize_latency (cache-friendly).</summary>
    public enum Consistency
    {
        MinimizeLatency = 1,
        FullyConsistent = 4,
    }

    public static byte[] WriteSchemaRequest(string schema) => new ProtoWriter().String(1, schema).ToArray();

    /// <summary>TOUCH updates (idempotent writes) of <c>object#relation@user</c> tuples in OpenFGA notation.</summary>
    public static byte[] WriteRelationshipsRequest(IEnumerable<(string Object, string Relation, string User)> tuples)
    {
        var request = new ProtoWriter();
        foreach (var (@object, relation, user) in tuples)
        {
            var relationship = new ProtoWriter()
                .Message(1, ObjectReference(@object))
                .String(2, relation)
                .Message(3, SubjectReference(user));
            request.Message(1, new ProtoWriter().UInt(1, TouchOperation).Message(2, relationship));
        }

        return request.ToArray();
    }

    public static byte[] CheckPermissionRequest(string @object, string permission, string user, Consistency consistency) =>
        new ProtoWriter()
            .Message(1, ConsistencyMessage(consistency))
            .Message(2, ObjectReference(@object))
            .String(3, permission)
            .Message(4, SubjectReference(user))
            .ToArray();

    public static byte[] LookupResourcesRequest(string objectType, string permission, string user, Consistency consistency) =>
        new ProtoWriter()
            .Message(1, ConsistencyMessage(consistency))
            .String(2, objectType)
            .String(3, permission)
            .Message(4, SubjectReference(user))
            .ToArray();

    /// <summary>CheckPermissionResponse.permissionship (field 2) is HAS_PERMISSION.</summary>
    public static bool IsAllowed(ReadOnlySpan<byte> checkPermissionResponse)
    {
        var reader = new ProtoReader(checkPermissionResponse);
        while (reader.Next())
        {
            if (reader.Field == 2 && reader.Type == WireType.Varint)
            {
                return (int)reader.VarintValue == HasPermission;
            }
        }

        return false;
    }

    /// <summary>LookupResourcesResponse.resource_object_id (field 2).</summary>
    public static string ResourceObjectId(ReadOnlySpan<byte> lookupResourcesResponse)
    {
        var reader = new ProtoReader(lookupResourcesResponse);
        while (reader.Next())
        {
            if (reader.Field == 2 && reader.Type == WireType.LengthDelimited)
            {
                return reader.BytesAsString;
            }
        }

        return string.Empty;
    }

    private static ProtoWriter ConsistencyMessage(Consistency consistency) => new ProtoWriter().Bool((int)consistency, true);

    /// <summary><c>type:id</c>.</summary>
    private static ProtoWriter ObjectReference(string @object)
    {
        var colon = @object.IndexOf(':', StringComparison.Ordinal);
        return new ProtoWriter().String(1, @object[..colon]).String(2, @object[(colon + 1)..]);
    }

    /// <summary><c>type:id</c> or <c>type:id#relation</c>.</summary>
    private static ProtoWriter SubjectReference(string user)
    {
        var hash = user.IndexOf('#', StringComparison.Ordinal);
        return hash < 0
            ? new ProtoWriter().Message(1, ObjectReference(user))
            : new ProtoWriter().Message(1, ObjectReference(user[..hash])).String(2, user[(hash + 1)..]);
    }
}
