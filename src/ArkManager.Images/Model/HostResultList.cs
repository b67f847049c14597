using System;
using System.Collections;
using System.Collections.Generic;

namespace ArkManager.Images
{
    /// <summary>A result gathered from several hosts, some of which may not have answered.</summary>
    public interface IHostResults
    {
        /// <summary>The hosts that could not answer (empty when all did).</summary>
        IReadOnlyList<HostError> HostErrors { get; }
    }

    /// <summary>
    /// What a list call returns when several hosts are configured: the items of every host that answered, and one
    /// <see cref="HostError"/> per host that did not. An unreachable host never hides the others.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    public sealed class HostResultList<T> : IReadOnlyList<T>, IHostResults
    {
        private readonly IReadOnlyList<T> _items;

        /// <summary>Creates the list.</summary>
        public HostResultList(IReadOnlyList<T> items, IReadOnlyList<HostError>? hostErrors = null)
        {
            _items = items ?? throw new ArgumentNullException(nameof(items));
            HostErrors = hostErrors ?? Array.Empty<HostError>();
        }

        /// <summary>The hosts that could not answer (empty when all did).</summary>
        public IReadOnlyList<HostError> HostErrors { get; }

        /// <inheritdoc />
        public int Count => _items.Count;

        /// <inheritdoc />
        public T this[int index] => _items[index];

        /// <inheritdoc />
        public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();
    }
}
