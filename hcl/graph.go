package hcl

// Dependency graphs of locals and of steps. Nodes are given in declaration
// order and every result is ordered by it, so output is deterministic.

// findCycles returns one cycle per strongly connected component that has
// one, as a path that starts and ends at the component's first-declared
// node: [a b c a]. deps(n) lists what n depends on; unknown names are
// ignored.
func findCycles(nodes []string, deps map[string][]string) [][]string {
	index := map[string]int{}
	for i, n := range nodes {
		index[n] = i
	}
	// Tarjan's algorithm; recursion depth is bounded by the number of
	// declared nodes.
	var (
		counter  int
		stack    []string
		onStack  = map[string]bool{}
		idx      = map[string]int{}
		low      = map[string]int{}
		compOf   = map[string]int{}
		comps    [][]string
		strongly func(v string)
	)
	strongly = func(v string) {
		idx[v], low[v] = counter, counter
		counter++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range deps[v] {
			if _, known := index[w]; !known {
				continue
			}
			if _, seen := idx[w]; !seen {
				strongly(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], idx[w])
			}
		}
		if low[v] == idx[v] {
			var comp []string
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				compOf[w] = len(comps)
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			comps = append(comps, comp)
		}
	}
	for _, n := range nodes {
		if _, seen := idx[n]; !seen {
			strongly(n)
		}
	}

	var cycles [][]string
	done := map[int]bool{}
	for _, n := range nodes { // declaration order picks each cycle's start
		c := compOf[n]
		if done[c] {
			continue
		}
		done[c] = true
		comp := comps[c]
		selfLoop := false
		for _, d := range deps[n] {
			if d == n {
				selfLoop = true
			}
		}
		if len(comp) == 1 && !selfLoop {
			continue
		}
		if selfLoop {
			cycles = append(cycles, []string{n, n})
			continue
		}
		cycles = append(cycles, cyclePath(n, c, compOf, deps))
	}
	return cycles
}

// cyclePath finds a path from start back to start inside one component by
// depth-first search, preferring dependencies in the order written.
func cyclePath(start string, comp int, compOf map[string]int, deps map[string][]string) []string {
	visited := map[string]bool{}
	var path []string
	var dfs func(v string) bool
	dfs = func(v string) bool {
		path = append(path, v)
		visited[v] = true
		for _, w := range deps[v] {
			if c, ok := compOf[w]; !ok || c != comp {
				continue
			}
			if w == start {
				path = append(path, start)
				return true
			}
			if !visited[w] && dfs(w) {
				return true
			}
		}
		path = path[:len(path)-1]
		return false
	}
	dfs(start)
	return path
}

// topoOrder orders nodes so that each comes after its dependencies, and
// otherwise keeps declaration order (Kahn's algorithm, always taking the
// earliest-declared ready node). Nodes left in cycles follow in
// declaration order.
func topoOrder(nodes []string, deps map[string][]string) []string {
	index := map[string]int{}
	for i, n := range nodes {
		index[n] = i
	}
	pending := make([]int, len(nodes)) // unmet dependency count
	dependents := make([][]int, len(nodes))
	for i, n := range nodes {
		seen := map[string]bool{}
		for _, d := range deps[n] {
			j, ok := index[d]
			if !ok || seen[d] {
				continue
			}
			seen[d] = true
			pending[i]++
			dependents[j] = append(dependents[j], i)
		}
	}
	placed := make([]bool, len(nodes))
	out := make([]string, 0, len(nodes))
	for len(out) < len(nodes) {
		next := -1
		for i := range nodes {
			if !placed[i] && pending[i] == 0 {
				next = i
				break
			}
		}
		if next < 0 {
			for i := range nodes {
				if !placed[i] {
					out = append(out, nodes[i])
				}
			}
			break
		}
		placed[next] = true
		out = append(out, nodes[next])
		for _, j := range dependents[next] {
			pending[j]--
		}
	}
	return out
}
