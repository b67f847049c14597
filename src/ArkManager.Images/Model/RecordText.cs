using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;

namespace ArkManager.Images
{
    /// <summary>
    /// The members of a record as its <c>ToString()</c> shows them, with list and dictionary properties as their values
    /// (<c>RepoTags = [a:1, a:2]</c>) instead of their type name; used where a record is shown inside another object
    /// (e.g. ImageStatus.Info in <c>Format-List *</c>). Only for records without secrets.
    /// </summary>
    internal static class RecordText
    {
        public static bool PrintMembers(object record, StringBuilder builder)
        {
            var first = true;
            foreach (var property in record.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0))
            {
                builder.Append(first ? string.Empty : ", ").Append(property.Name).Append(" = ");
                Append(builder, property.GetValue(record));
                first = false;
            }

            return !first;
        }

        private static void Append(StringBuilder builder, object? value)
        {
            switch (value)
            {
                case null:
                    return;
                case string text:
                    builder.Append(text);
                    return;
                case IDictionary dictionary:
                    builder.Append('[').Append(string.Join(", ", dictionary.Keys.Cast<object>().Select(k => k + "=" + dictionary[k]))).Append(']');
                    return;
                case IEnumerable items:
                    builder.Append('[').Append(string.Join(", ", items.Cast<object?>().Select(i => i is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : i?.ToString()))).Append(']');
                    return;
                case IFormattable formattable:
                    builder.Append(formattable.ToString(null, CultureInfo.InvariantCulture));
                    return;
                default:
                    builder.Append(value);
                    return;
            }
        }
    }
}
