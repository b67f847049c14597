using System.Collections.Generic;
using global::Docker.DotNet.Models;

namespace ArkManager.Images.Docker
{
    /// <summary>
    /// What <see cref="RecreateSpec.Build"/> decided for one server container: the create request of the replacement,
    /// the networks to connect after the create and before the first start, and what the caller should tell the user.
    /// </summary>
    /// <param name="Create">The <c>POST /containers/create</c> request (name, image, config, host config, at most the endpoints the API version allows).</param>
    /// <param name="ConnectAfterCreate">
    /// Endpoints that could not go into the create request (below Engine API 1.44 a create accepts one endpoint only): connect each
    /// with <c>POST /networks/{NetworkName}/connect</c> and its <see cref="RecreateNetwork.Settings"/> <b>before the first start</b>,
    /// so the container never runs without its aliases and static addresses.
    /// </param>
    /// <param name="Warnings">Things the recreate carries faithfully but that deserve a word (random host ports, auto-remove) or cannot carry.</param>
    internal sealed record RecreatePlan(CreateContainerParameters Create, IReadOnlyList<RecreateNetwork> ConnectAfterCreate, IReadOnlyList<string> Warnings);

    /// <summary>One network endpoint of the replacement container (aliases, IPAM config, links, driver options, user-set MAC).</summary>
    /// <param name="NetworkName">The network's name as the old container's inspect keyed it.</param>
    /// <param name="Settings">The endpoint configuration to send (only request fields are set).</param>
    internal sealed record RecreateNetwork(string NetworkName, EndpointSettings Settings);
}
