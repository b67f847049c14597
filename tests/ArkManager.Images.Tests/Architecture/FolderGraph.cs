namespace ArkManager.Images.Tests.Architecture;

/// <summary>One dependency between two folders, with one example pair of types that causes it.</summary>
internal sealed record FolderEdge(string From, string To, string ExampleFrom, string ExampleTo, int TypePairs = 1)
{
    public override string ToString() =>
        $"{From} -> {To} ({ExampleFrom} uses {ExampleTo}{(TypePairs > 1 ? $"; {TypePairs} type pairs in all" : string.Empty)})";
}

/// <summary>A cycle between folders: every member of the strongly connected component, and one path around it.</summary>
internal sealed record FolderCycle(IReadOnlyList<string> Members, IReadOnlyList<string> Path)
{
    public override string ToString() =>
        string.Join(" -> ", Path) + (Members.Count > Path.Count - 1 ? $" (one path; all of these folders are on cycles with each other: {string.Join(", ", Members)})" : string.Empty);
}

/// <summary>
/// The graph logic of the architecture rules, kept apart from the assembly reading so it can be tested on a hand-made graph:
/// which edges break the rank table, and which folders form cycles.
/// </summary>
internal static class FolderGraph
{
    /// <summary>
    /// Edges that run upward or sideways: the target's rank is not strictly lower than the source's. Edges inside one component
    /// (the same folder, or two folders the table declares one component) are allowed. Edges touching a folder that is not in
    /// the table are not judged here (a separate rule demands every folder be in the table).
    /// </summary>
    public static IReadOnlyList<FolderEdge> RankViolations(IEnumerable<FolderEdge> edges, IReadOnlyDictionary<string, int> rank, Func<string, string> component)
    {
        return edges
            .Where(e => component(e.From) != component(e.To))
            .Where(e => rank.TryGetValue(e.From, out var from) && rank.TryGetValue(e.To, out var to) && to >= from)
            .OrderBy(e => rank[e.From]).ThenBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The cycles between components (Tarjan's strongly connected components): each returned list is one concrete cycle,
    /// one per strongly connected component of more than one node: its members, and one concrete cycle through them
    /// (first node repeated at the end: "A", "B", "A").
    /// </summary>
    public static IReadOnlyList<FolderCycle> Cycles(IEnumerable<FolderEdge> edges, Func<string, string> component)
    {
        var graph = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var e in edges)
        {
            var from = component(e.From);
            var to = component(e.To);
            if (!graph.TryGetValue(from, out var targets))
            {
                graph[from] = targets = new SortedSet<string>(StringComparer.Ordinal);
            }

            if (!graph.ContainsKey(to))
            {
                graph[to] = new SortedSet<string>(StringComparer.Ordinal);
            }

            if (from != to)
            {
                targets.Add(to);
            }
        }

        var index = 0;
        var indices = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();

        void Connect(string v)
        {
            indices[v] = low[v] = index++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph[v])
            {
                if (!indices.ContainsKey(w))
                {
                    Connect(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], indices[w]);
                }
            }

            if (low[v] == indices[v])
            {
                var scc = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    scc.Add(w);
                }
                while (w != v);
                components.Add(scc);
            }
        }

        foreach (var v in graph.Keys)
        {
            if (!indices.ContainsKey(v))
            {
                Connect(v);
            }
        }

        var cycles = new List<FolderCycle>();
        foreach (var scc in components.Where(c => c.Count > 1))
        {
            var members = scc.OrderBy(n => n, StringComparer.Ordinal).ToList();
            cycles.Add(new FolderCycle(members, ShortestCycle(members[0], graph, new HashSet<string>(members, StringComparer.Ordinal))));
        }

        return cycles.OrderBy(c => c.Members[0], StringComparer.Ordinal).ToList();
    }

    private static List<string> ShortestCycle(string start, SortedDictionary<string, SortedSet<string>> graph, HashSet<string> members)
    {
        // Breadth-first from start, inside the component, until an edge leads back to start.
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>(new[] { start });
        var seen = new HashSet<string>(StringComparer.Ordinal) { start };
        while (queue.Count > 0)
        {
            var n = queue.Dequeue();
            foreach (var w in graph[n].Where(members.Contains))
            {
                if (w == start)
                {
                    var path = new List<string> { start };
                    for (var p = n; p != start; p = parent[p])
                    {
                        path.Add(p);
                    }

                    path.Add(start);
                    path.Reverse();
                    return path;
                }

                if (seen.Add(w))
                {
                    parent[w] = n;
                    queue.Enqueue(w);
                }
            }
        }

        throw new InvalidOperationException("A strongly connected component without a cycle through " + start);
    }
}
