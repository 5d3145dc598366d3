//! A certified lower bound on the k-median objective (Lagrangian relaxation).
//!
//! Relax "every cell is served by exactly one open site" with a multiplier u_c
//! per cell. For any u,
//!
//! L(u) = Σ_c u_c + (sum of the k smallest ρ_j), ρ_j = f_j + Σ_c min(0, w_c·d_cj − u_c)
//!
//! is at most the optimum (f_j = λ·W·cost_j). Subgradient ascent on u pushes
//! L(u) up towards the optimum; for k-median this relaxation is usually within
//! a few tenths of a percent. Provider and budget constraints are relaxed too,
//! which keeps the bound valid (the constrained optimum can only be higher).
//! So `(objective − bound) / bound` is a proven upper limit on how far a plan
//! is from the best possible plan of the same model.

use super::search::Problem;

/// Best L(u) found in `iterations` subgradient steps, in solver units.
/// `upper` is the objective of a known solution (steers the step size).
pub(crate) fn lagrangian(problem: &Problem, k: usize, upper: f64, iterations: usize) -> f64 {
    let (n, m) = (problem.n, problem.m);
    let fixed: Vec<f64> = (0..m)
        .map(|j| problem.cost_scale * problem.rules.cost[j])
        .collect();
    // Start from u_c = w_c · (distance to the (k+1)-th nearest candidate): a
    // cell is then "claimed" by its k nearest candidates, which is about where
    // good multipliers sit, and converges much faster than starting at zero.
    let mut column = vec![0.0; m];
    let mut u: Vec<f64> = (0..n)
        .map(|c| {
            for (j, d) in column.iter_mut().enumerate() {
                *d = problem.dist[j * n + c];
            }
            let rank = k.min(m - 1);
            let (_, kth, _) = column.select_nth_unstable_by(rank, f64::total_cmp);
            problem.weight[c] * *kth
        })
        .collect();
    // Halve the step after this many steps without a better bound: patient
    // enough to make progress, quick enough to converge within the budget.
    let patience = (iterations / 16).clamp(10, 100);
    let mut best = f64::NEG_INFINITY;
    let mut theta = 2.0;
    let mut stall = 0;
    let mut rho = vec![0.0; m];
    let mut order: Vec<usize> = (0..m).collect();
    let mut served = vec![0u32; n];
    for _ in 0..iterations.max(1) {
        for j in 0..m {
            rho[j] = fixed[j] + negative_part(&problem.weight, problem.column(j), &u);
        }
        order.sort_by(|&a, &b| rho[a].total_cmp(&rho[b]).then(a.cmp(&b)));
        let open = &order[..k];
        let value: f64 = u.iter().sum::<f64>() + open.iter().map(|&j| rho[j]).sum::<f64>();
        if best == f64::NEG_INFINITY || value > best + 1e-12 * best.abs() {
            best = value;
            stall = 0;
        } else {
            stall += 1;
            if stall >= patience {
                theta /= 2.0;
                stall = 0;
            }
        }
        // Subgradient: g_c = 1 − (number of open sites that would serve c).
        served.fill(0);
        for &j in open {
            let col = problem.column(j);
            for c in 0..n {
                if problem.weight[c] * col[c] < u[c] {
                    served[c] += 1;
                }
            }
        }
        let norm: f64 = served.iter().map(|&s| (1.0 - f64::from(s)).powi(2)).sum();
        if norm == 0.0 || upper - best <= 1e-9 * upper.abs() || theta < 1e-4 {
            break;
        }
        let step = theta * (upper - value).max(1e-9 * upper.abs()) / norm;
        for c in 0..n {
            u[c] += step * (1.0 - f64::from(served[c]));
            // Any u gives a valid bound; u_c < 0 never helps, so keep u ≥ 0.
            if u[c] < 0.0 {
                u[c] = 0.0;
            }
        }
    }
    best.min(upper)
}

/// Σ_c min(0, w_c·d_c − u_c), with independent accumulators so it vectorizes.
fn negative_part(w: &[f64], d: &[f64], u: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (wc, dc, uc) = (w.chunks_exact(4), d.chunks_exact(4), u.chunks_exact(4));
    let tail: f64 = wc
        .remainder()
        .iter()
        .zip(dc.remainder())
        .zip(uc.remainder())
        .map(|((w, d), u)| (w * d - u).min(0.0))
        .sum();
    for ((w, d), u) in wc.zip(dc).zip(uc) {
        for i in 0..4 {
            acc[i] += (w[i] * d[i] - u[i]).min(0.0);
        }
    }
    acc.iter().sum::<f64>() + tail
}
