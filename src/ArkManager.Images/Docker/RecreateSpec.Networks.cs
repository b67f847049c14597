using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using global::Docker.DotNet.Models;
using Version = System.Version;

namespace ArkManager.Images.Docker
{
    // Network rules: the endpoints, aliases, IPAM addresses and MAC addresses carried to the replacement.
    internal static partial class RecreateSpec
    {
        /// <summary>
        /// Rule (networks): <c>NetworkMode</c> is carried in the host config. For a user-defined or bridge network mode every endpoint of
        /// <c>NetworkSettings.Networks</c> is carried with its aliases, static IPAM addresses (<c>IPv4Address</c>, <c>IPv6Address</c>,
        /// link-local IPs), links, driver options, a user-set MAC address and (API 1.48+) its gateway priority. Not carried:
        /// <list type="bullet">
        /// <item>the old short-id alias (first 12 characters of the old id): dockerd below 1.45 adds the new short id by itself;</item>
        /// <item>below API 1.45 also an alias equal to the old hostname: dockerd 20.10 appends the container's hostname to the aliases of
        /// every user-network endpoint by itself (seen: <c>["island-b", "5e843e61cf5e", "island-host"]</c>), and adds it again for the
        /// replacement (whose hostname is carried when user-set). dockerd never adds the container NAME as an alias (its DNS answers
        /// the name without one), so aliases equal to a name are user- or compose-set and are kept;</item>
        /// <item>runtime fields (endpoint id, network id, gateway, dynamic IP, prefix lengths, DNS names).</item>
        /// </list>
        /// Host, none and <c>container:</c> modes have no endpoint configuration to carry.
        /// </summary>
        private static List<RecreateNetwork> CarryEndpoints(ContainerInspectResponse old, string networkMode, Version apiVersion, List<string> warnings)
        {
            var result = new List<RecreateNetwork>();
            var networks = old.NetworkSettings?.Networks;
            if (networks is null || networks.Count == 0 || !HasEndpointConfig(networkMode))
            {
                return result;
            }

            var shortId = ShortId(old.ID);
            var hostname = old.Config?.Hostname;
            foreach (var pair in networks)
            {
                var endpoint = pair.Value ?? new EndpointSettings();
                var aliases = (endpoint.Aliases ?? new List<string>())
                    .Where(a => !string.IsNullOrEmpty(a))
                    .Where(a => !string.Equals(a, shortId, StringComparison.Ordinal))
                    .Where(a => apiVersion >= UserOnlyAliasesApiVersion || !string.Equals(a, hostname, StringComparison.Ordinal))
                    .Distinct(StringComparer.Ordinal)
                    .ToList();

                var settings = new EndpointSettings
                {
                    Aliases = aliases.Count == 0 ? null! : aliases,
                    IPAMConfig = CarryIpam(endpoint.IPAMConfig),
                    Links = endpoint.Links is { Count: > 0 } ? endpoint.Links.ToList() : null!,
                    DriverOpts = endpoint.DriverOpts is { Count: > 0 } ? new Dictionary<string, string>(endpoint.DriverOpts, StringComparer.Ordinal) : null!,
                };

                if (apiVersion >= GatewayPriorityApiVersion)
                {
                    settings.GwPriority = endpoint.GwPriority;
                }

                if (IsUserSetMac(endpoint))
                {
                    if (apiVersion >= EndpointMacAddressApiVersion)
                    {
                        settings.MacAddress = endpoint.MacAddress;
                    }
                    else
                    {
                        warnings.Add($"The MAC address {endpoint.MacAddress} on network {pair.Key} looks user-set, but below Engine API {EndpointMacAddressApiVersion} it can only be set through Config.MacAddress, which the Docker client models no longer carry: the replacement gets a generated MAC.");
                    }
                }

                result.Add(new RecreateNetwork(pair.Key, settings));
            }

            return result;
        }

        /// <summary>
        /// Rule (MAC address): Docker generates a bridge/overlay endpoint's MAC from its IPv4 address as <c>02:42:</c> followed by the four
        /// address bytes. So an endpoint MAC equal to that pattern for the endpoint's own address (or, when the address is not known,
        /// any MAC starting <c>02:42:</c>) is generated and not carried; any other non-empty MAC is user-set and carried. A stopped container
        /// shows no endpoint MAC below API 1.44 (the endpoint is released, and the client models no longer read <c>Config.MacAddress</c>),
        /// so the inspect must be taken while it runs; from 1.44 a created or stopped container's endpoint shows only the configured MAC,
        /// which is user-set by definition. A daemon that gives running endpoints random MACs makes them look user-set: they are then
        /// carried, which only pins the MAC the server already had (the old container is stopped before the replacement starts).
        /// </summary>
        internal static bool IsUserSetMac(EndpointSettings endpoint)
        {
            var mac = endpoint.MacAddress;
            return !string.IsNullOrEmpty(mac) && !IsGeneratedMac(mac, endpoint.IPAddress);
        }

        /// <summary>True when <paramref name="mac"/> is the MAC Docker derives from <paramref name="ipv4"/> (<c>02:42:</c> + the address bytes).</summary>
        internal static bool IsGeneratedMac(string mac, string? ipv4)
        {
            if (!string.IsNullOrEmpty(ipv4) && IPAddress.TryParse(ipv4, out var address) && address.AddressFamily == AddressFamily.InterNetwork)
            {
                var expected = "02:42:" + string.Join(":", address.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
                return string.Equals(mac, expected, StringComparison.OrdinalIgnoreCase);
            }

            return mac.StartsWith("02:42:", StringComparison.OrdinalIgnoreCase);
        }

        private static EndpointIPAMConfig? CarryIpam(EndpointIPAMConfig? ipam)
        {
            if (ipam is null || (string.IsNullOrEmpty(ipam.IPv4Address) && string.IsNullOrEmpty(ipam.IPv6Address) && (ipam.LinkLocalIPs is null || ipam.LinkLocalIPs.Count == 0)))
            {
                return null;
            }

            return new EndpointIPAMConfig
            {
                IPv4Address = ipam.IPv4Address ?? string.Empty,
                IPv6Address = ipam.IPv6Address ?? string.Empty,
                LinkLocalIPs = ipam.LinkLocalIPs is { Count: > 0 } ? ipam.LinkLocalIPs.ToList() : null,
            };
        }

        /// <summary>The endpoint a below-1.44 create must carry: the one of the network named by <c>NetworkMode</c> (by name, id or short id).</summary>
        private static bool IsNetworkModeEndpoint(string name, EndpointSettings endpoint, string networkMode)
        {
            if (string.Equals(name, networkMode, StringComparison.Ordinal))
            {
                return true;
            }

            if ((networkMode.Length == 0 || string.Equals(networkMode, "default", StringComparison.Ordinal)) && string.Equals(name, "bridge", StringComparison.Ordinal))
            {
                return true;
            }

            var id = endpoint?.NetworkID;
            return !string.IsNullOrEmpty(id) && networkMode.Length >= 12 && id!.StartsWith(networkMode, StringComparison.Ordinal);
        }

        private static bool HasEndpointConfig(string networkMode) =>
            !string.Equals(networkMode, "host", StringComparison.Ordinal) &&
            !string.Equals(networkMode, "none", StringComparison.Ordinal) &&
            !networkMode.StartsWith("container:", StringComparison.Ordinal);

        /// <summary>Hostname and domain name can only be set when the container has its own UTS namespace (not with host or container: network, nor host UTS mode).</summary>
        private static bool OwnsUtsNamespace(HostConfig host)
        {
            var mode = host.NetworkMode ?? string.Empty;
            if (string.Equals(mode, "host", StringComparison.Ordinal) || mode.StartsWith("container:", StringComparison.Ordinal))
            {
                return false;
            }

            return !string.Equals(host.UTSMode, "host", StringComparison.Ordinal);
        }
    }
}
