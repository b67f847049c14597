using System.Text.Json;
using System.Text.Json.Serialization;

namespace ArkManager.Images.AspNetCore.Endpoints
{
    /// <summary>The JSON of every response: web defaults (camelCase) with enums as their names.</summary>
    internal static class ArkJson
    {
        public static readonly JsonSerializerOptions Options = Create();

        private static JsonSerializerOptions Create()
        {
            var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
            options.Converters.Add(new JsonStringEnumConverter());
            return options;
        }
    }
}
