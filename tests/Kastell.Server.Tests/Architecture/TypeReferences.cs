using System.Reflection;
using System.Reflection.Emit;

namespace Kastell.Server.Tests.Architecture;

/// <summary>
/// What a type uses, read by reflection: its base type, interfaces, attributes, fields, properties, method signatures
/// and every type, method and field a method body names (the IL's tokens), including the lambdas and state machines the
/// compiler nests inside it. Enough to find a reference from one namespace into another that the compiler would accept.
/// </summary>
internal static class TypeReferences
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags Everything =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every type <paramref name="type"/> (and the types nested in it) refers to.</summary>
    public static IEnumerable<Type> Of(Type type) => UsesOf(type).SelectMany(u => u.Types).Distinct();

    /// <summary>Every member use inside <paramref name="type"/>'s methods: the member, and the types it names.</summary>
    public static IEnumerable<Use> UsesOf(Type type)
    {
        var uses = new List<Use>();
        foreach (var t in WithNested(type))
        {
            uses.Add(new(null, Expand(t.BaseType).Concat(t.GetInterfaces().SelectMany(Expand)).Concat(Attributes(t.GetCustomAttributesData()))));
            foreach (var field in t.GetFields(Everything))
            {
                uses.Add(new(null, Expand(field.FieldType).Concat(Attributes(field.GetCustomAttributesData()))));
            }

            foreach (var property in t.GetProperties(Everything))
            {
                uses.Add(new(null, Expand(property.PropertyType).Concat(Attributes(property.GetCustomAttributesData()))));
            }

            foreach (var method in t.GetMethods(Everything).Cast<MethodBase>().Concat(t.GetConstructors(Everything)))
            {
                var signature = method.GetParameters().SelectMany(p => Expand(p.ParameterType))
                    .Concat(method is MethodInfo m ? Expand(m.ReturnType) : [])
                    .Concat(Attributes(method.GetCustomAttributesData()));
                uses.Add(new(null, signature));
                uses.AddRange(BodyUses(method));
            }
        }

        return uses;
    }

    /// <summary>A member a method body names (null for a type token or a signature), and the types involved.</summary>
    public sealed record Use(MemberInfo? Member, IEnumerable<Type> Types);

    private static IEnumerable<Type> WithNested(Type type) =>
        [type, .. type.GetNestedTypes(Everything).SelectMany(WithNested)];

    private static IEnumerable<Type> Attributes(IEnumerable<CustomAttributeData> attributes) =>
        attributes.SelectMany(a => Expand(a.AttributeType).Concat(a.ConstructorArguments.Select(c => c.Value).OfType<Type>().SelectMany(Expand)));

    /// <summary>A type with its generic arguments, element type and declaring types.</summary>
    private static IEnumerable<Type> Expand(Type? type)
    {
        if (type is null || type.IsGenericParameter)
        {
            yield break;
        }

        if (type.HasElementType)
        {
            foreach (var inner in Expand(type.GetElementType()))
            {
                yield return inner;
            }

            yield break;
        }

        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Expand))
            {
                yield return argument;
            }
        }
    }

    private static IEnumerable<Use> BodyUses(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException)
        {
            yield break;
        }

        if (il is null)
        {
            yield break;
        }

        var module = method.Module;
        var typeArguments = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            OpCode opcode;
            if (il[i] == 0xFE)
            {
                opcode = OpCodesByValue[unchecked((short)(0xFE00 | il[i + 1]))];
                i += 2;
            }
            else
            {
                opcode = OpCodesByValue[il[i]];
                i += 1;
            }

            switch (opcode.OperandType)
            {
                case OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, i);
                    i += 4;
                    MemberInfo? member = null;
                    try
                    {
                        member = module.ResolveMember(token, typeArguments, methodArguments);
                    }
                    catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or MissingMemberException)
                    {
                    }

                    if (member is not null)
                    {
                        yield return new(member is Type ? null : member, TypesOf(member));
                    }

                    break;
                case OperandType.InlineSwitch:
                    var count = BitConverter.ToInt32(il, i);
                    i += 4 + (4 * count);
                    break;
                default:
                    i += OperandSize(opcode.OperandType);
                    break;
            }
        }
    }

    private static IEnumerable<Type> TypesOf(MemberInfo member) => member switch
    {
        Type type => Expand(type),
        MethodBase method => Expand(method.DeclaringType)
            .Concat(method.IsGenericMethod ? method.GetGenericArguments().SelectMany(Expand) : [])
            .Concat(method.GetParameters().SelectMany(p => Expand(p.ParameterType)))
            .Concat(method is MethodInfo m ? Expand(m.ReturnType) : []),
        FieldInfo field => Expand(field.DeclaringType).Concat(Expand(field.FieldType)),
        _ => Expand(member.DeclaringType),
    };

    private static int OperandSize(OperandType type) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };
}
