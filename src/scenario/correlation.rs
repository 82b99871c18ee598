//! Correlated growth as written: checks a rank-correlation matrix, converts it to the
//! correlation of the underlying normals, and factors it (docs/model.md, "Correlated growth").
//! The model's copula ([`crate::model::copula`]) uses the factor.

/// Pivots below this count as zero: the matrix is singular there (e.g. correlation 1).
const PIVOT_TOLERANCE: f64 = 1e-10;
/// Entries this close to each other count as equal when checking symmetry and the diagonal.
const ENTRY_TOLERANCE: f64 = 1e-12;

/// Pearson correlation of two standard normals whose Spearman rank correlation is `r`:
/// rho = 2 sin(pi r / 6). Exact at -1, 0 and 1, where the formula's rounding would otherwise
/// leave a correlation of 1 slightly below 1.
pub fn normal_correlation(r: f64) -> f64 {
    if r == 1.0 || r == -1.0 || r == 0.0 {
        r
    } else {
        2.0 * (std::f64::consts::PI * r / 6.0).sin()
    }
}

/// Checks that `rank` is an n x n rank-correlation matrix (n = its number of rows) whose
/// normal correlations form a positive semi-definite matrix; returns the lower-triangular
/// factor L with L L^T equal to that matrix, or why it is not valid.
pub fn checked_factor(rank: &[Vec<f64>], n: usize) -> Result<Vec<Vec<f64>>, String> {
    if rank.len() != n || rank.iter().any(|row| row.len() != n) {
        let shape: Vec<String> = rank.iter().map(|r| r.len().to_string()).collect();
        return Err(format!(
            "it must be {n} x {n}, one row and one column per city, but has {} rows of \
             lengths [{}]",
            rank.len(),
            shape.join(", ")
        ));
    }
    for (i, row) in rank.iter().enumerate() {
        for (j, &r) in row.iter().enumerate() {
            let (ri, cj) = (i + 1, j + 1);
            if !r.is_finite() || !(-1.0..=1.0).contains(&r) {
                return Err(format!(
                    "entry ({ri}, {cj}) is {r}; correlations lie in [-1, 1]"
                ));
            }
            if i == j && (r - 1.0).abs() > ENTRY_TOLERANCE {
                return Err(format!(
                    "diagonal entry ({ri}, {ri}) is {r}; a city's correlation with itself is 1"
                ));
            }
            if (r - rank[j][i]).abs() > ENTRY_TOLERANCE {
                return Err(format!(
                    "it is not symmetric: entry ({ri}, {cj}) is {r} but ({cj}, {ri}) is {}",
                    rank[j][i]
                ));
            }
        }
    }
    let normal: Vec<Vec<f64>> = rank
        .iter()
        .map(|row| row.iter().map(|r| normal_correlation(*r)).collect())
        .collect();
    cholesky_semidefinite(&normal).ok_or_else(|| {
        "it is not positive semi-definite, so no joint distribution has these correlations \
         (checked after converting each rank correlation r to the normals' 2 sin(pi r / 6)); \
         for one correlation shared by n cities the smallest possible is about -1/(n - 1)"
            .to_string()
    })
}

/// Cholesky factor of a symmetric positive semi-definite matrix, allowing zero pivots (a
/// zero pivot's column is zero). None when the matrix is not positive semi-definite.
pub fn cholesky_semidefinite(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for j in 0..n {
        let pivot = a[j][j] - (0..j).map(|k| l[j][k] * l[j][k]).sum::<f64>();
        if pivot < -PIVOT_TOLERANCE {
            return None;
        }
        let diag = if pivot > PIVOT_TOLERANCE {
            pivot.sqrt()
        } else {
            0.0
        };
        l[j][j] = diag;
        for i in j + 1..n {
            let rest = a[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            if diag == 0.0 {
                if rest.abs() > PIVOT_TOLERANCE.sqrt() {
                    return None;
                }
            } else {
                l[i][j] = rest / diag;
            }
        }
    }
    Some(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(l: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let n = l.len();
        (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| (0..n).map(|k| l[i][k] * l[j][k]).sum())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn factor_reproduces_the_matrix() {
        let a = vec![
            vec![1.0, 0.6, 0.5],
            vec![0.6, 1.0, 0.7],
            vec![0.5, 0.7, 1.0],
        ];
        let l = cholesky_semidefinite(&a).unwrap();
        let back = product(&l);
        for i in 0..3 {
            for j in 0..3 {
                assert!((back[i][j] - a[i][j]).abs() < 1e-14);
            }
            assert!(l[i][i + 1..].iter().all(|x| *x == 0.0), "lower triangular");
        }
    }

    #[test]
    fn correlation_one_is_factored_exactly() {
        let l = checked_factor(&[vec![1.0, 1.0], vec![1.0, 1.0]], 2).unwrap();
        assert_eq!(l, vec![vec![1.0, 0.0], vec![1.0, 0.0]]);
    }

    #[test]
    fn spearman_to_pearson_matches_the_known_points() {
        // r = 0.5 gives rho = 2 sin(pi / 12) = 0.5176380902050415.
        assert!((normal_correlation(0.5) - 0.517_638_090_205_041_5).abs() < 1e-15);
        assert_eq!(normal_correlation(1.0), 1.0);
        assert_eq!(normal_correlation(-1.0), -1.0);
    }

    #[test]
    fn invalid_matrices_say_why() {
        let e = |m: &[Vec<f64>], n| checked_factor(m, n).unwrap_err();
        assert!(e(&[vec![1.0, 0.5]], 2).contains("2 x 2"));
        assert!(e(&[vec![1.0, 0.5], vec![0.4, 1.0]], 2).contains("not symmetric"));
        assert!(e(&[vec![0.9, 0.5], vec![0.5, 1.0]], 2).contains("diagonal"));
        assert!(e(&[vec![1.0, 1.5], vec![1.5, 1.0]], 2).contains("[-1, 1]"));
        let three = vec![
            vec![1.0, -0.9, -0.9],
            vec![-0.9, 1.0, -0.9],
            vec![-0.9, -0.9, 1.0],
        ];
        assert!(e(&three, 3).contains("positive semi-definite"));
    }
}
