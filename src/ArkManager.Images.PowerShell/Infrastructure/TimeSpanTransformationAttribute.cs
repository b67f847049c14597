using System;
using System.Globalization;
using System.Management.Automation;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>
    /// Lets a TimeSpan parameter take a number of seconds (<c>-StopTimeout 300</c>; PowerShell alone would read a number
    /// as ticks), a TimeSpan (<c>(New-TimeSpan -Minutes 5)</c>) or a TimeSpan string (<c>'00:05:00'</c>). Negative values are refused.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class TimeSpanTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            TimeSpan result;
            switch (value)
            {
                case null:
                    return null;
                case TimeSpan span:
                    result = span;
                    break;
                case byte _:
                case sbyte _:
                case short _:
                case ushort _:
                case int _:
                case uint _:
                case long _:
                case ulong _:
                case float _:
                case double _:
                case decimal _:
                    result = Seconds(Convert.ToDouble(value, CultureInfo.InvariantCulture), value);
                    break;
                case string text:
                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
                    {
                        result = Seconds(seconds, text);
                    }
                    else if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out result))
                    {
                        throw new ArgumentTransformationMetadataException(
                            $"'{text}' is not a duration: give a number of seconds (300) or a TimeSpan ('00:05:00').");
                    }

                    break;
                default:
                    return inputData;
            }

            if (result < TimeSpan.Zero)
            {
                throw new ArgumentTransformationMetadataException($"'{value}' is negative: a duration must be zero or more.");
            }

            return result;
        }

        private static TimeSpan Seconds(double seconds, object original)
        {
            if (double.IsNaN(seconds) || double.IsInfinity(seconds) || seconds > TimeSpan.MaxValue.TotalSeconds || seconds < TimeSpan.MinValue.TotalSeconds)
            {
                throw new ArgumentTransformationMetadataException($"'{original}' is not a usable number of seconds.");
            }

            return TimeSpan.FromSeconds(seconds);
        }
    }
}
