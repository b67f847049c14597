using System.Text.Json;
using System.Text.Json.Serialization;

namespace ArkManager.Images.Docker
{
    /// <summary>
    /// Deep copies and generic JSON views of Docker.DotNet models for the recreate. A copy through JSON carries every property the
    /// model knows, including ones added by a later Docker.DotNet version, which is what "carry everything user-set" needs; the
    /// source objects (the old container's inspect) are never mutated or shared with the plan.
    /// </summary>
    internal static class RecreateJson
    {
        private static readonly JsonSerializerOptions Options = new JsonSerializerOptions { Converters = { new JsonStringEnumConverter() } };

        /// <summary>A deep copy of <paramref name="value"/> (null stays null).</summary>
        public static T? Clone<T>(T? value)
            where T : class
        {
            if (value is null)
            {
                return null;
            }

            var bytes = JsonSerializer.SerializeToUtf8Bytes(value, Options);
            return JsonSerializer.Deserialize<T>(bytes, Options);
        }

        /// <summary>The JSON form of <paramref name="value"/>, for field-by-field comparison.</summary>
        public static JsonElement ToElement<T>(T? value)
        {
            if (value is null)
            {
                using var doc = JsonDocument.Parse("null");
                return doc.RootElement.Clone();
            }

            return JsonSerializer.SerializeToElement(value, Options);
        }
    }
}
