//! Groups of places: summed within each trial, no effect on the cities and the Total, every
//! city once however it is reached, cycles refused, rivalries limiting the overtaking table.

use crate::common::run_text;

const HEAD: &str = "[scenario]\nname = \"g\"\nstart = 2025.0\nend = 2027.0\nsteps_per_year = 4\n\
                    trials = 2000\nseed = 5\n\n";

fn city(name: &str, baseline: &str) -> String {
    format!(
        "[[city]]\nname = \"{name}\"\nbaseline = {baseline}\n\
         growth = {{ dist = \"normal\", mean = 0.3, sd = 0.1 }}\nvolatility = 0.2\n\n"
    )
}

fn cities() -> String {
    city("A", "{ dist = \"lognormal\", p5 = 1000, p95 = 4000 }")
        + &city("B", "{ dist = \"lognormal\", p5 = 500, p95 = 3000 }")
        + &city("C", "2000")
}

#[test]
fn a_group_is_the_sum_of_its_cities_within_each_trial() {
    // Fixed cities without growth or noise: a group's value is exactly the sum.
    let text = format!(
        "{HEAD}[[city]]\nname = \"A\"\nbaseline = 100\ngrowth = 0.0\n\n\
         [[city]]\nname = \"B\"\nbaseline = 250\ngrowth = 0.0\n\n\
         [[group]]\nname = \"AB\"\nmembers = [\"A\", \"B\"]\n"
    );
    let (_, _, result) = run_text(&text);
    let group: Vec<_> = result.rows.iter().filter(|r| r.city == "AB").collect();
    assert_eq!(group.len(), 9);
    assert!(
        group
            .iter()
            .all(|r| r.p5 == 350.0 && r.p95 == 350.0 && r.mean == Some(350.0))
    );
    // With random cities a group of every city equals the Total bit for bit.
    let text = format!(
        "{HEAD}{}[[group]]\nname = \"All\"\nmembers = [\"A\", \"B\", \"C\"]\n",
        cities()
    );
    let (_, _, result) = run_text(&text);
    let rows = |name: &str| -> Vec<String> {
        result
            .rows
            .iter()
            .filter(|r| r.city == name)
            .map(|r| format!("{:?}", (r.mean, r.sd, r.p5, r.p50, r.p95)))
            .collect()
    };
    assert_eq!(rows("All"), rows("Total"));
}

#[test]
fn adding_groups_changes_no_city_and_not_the_total() {
    let plain = format!("{HEAD}{}", cities());
    let grouped = format!(
        "{plain}[[group]]\nname = \"AB\"\nmembers = [\"A\", \"B\"]\n\n\
         [[group]]\nname = \"Outer\"\nmembers = [\"AB\", \"B\", \"C\"]\n"
    );
    let (_, _, a) = run_text(&plain);
    let (_, _, b) = run_text(&grouped);
    let show = |r: &simulate::analysis::results::RunResult| -> Vec<String> {
        r.rows
            .iter()
            .filter(|x| ["A", "B", "C", "Total"].contains(&x.city.as_str()))
            .map(|x| {
                format!(
                    "{} {} {:?}",
                    x.city,
                    x.year,
                    (x.mean, x.sd, x.p5, x.p50, x.p95)
                )
            })
            .collect()
    };
    assert_eq!(show(&a), show(&b));
    // "Outer" reaches B twice (directly and through AB) and counts it once: it is the Total.
    let outer: Vec<_> = b
        .rows
        .iter()
        .filter(|r| r.city == "Outer")
        .map(|r| r.p50)
        .collect();
    let total: Vec<_> = b
        .rows
        .iter()
        .filter(|r| r.city == "Total")
        .map(|r| r.p50)
        .collect();
    assert_eq!(outer, total);
}

#[test]
fn groups_in_a_circle_and_unknown_members_are_refused_in_one_pass() {
    let text = format!(
        "{HEAD}{}[[group]]\nname = \"X\"\nmembers = [\"Y\"]\n\n\
         [[group]]\nname = \"Y\"\nmembers = [\"X\"]\n",
        cities()
    );
    let e = simulate::scenario::parse_str(&text, "g.toml", "g")
        .unwrap_err()
        .to_string();
    assert!(e.contains("circle") && e.contains("X -> Y -> X"), "{e}");
    let text = format!(
        "{HEAD}{}[[group]]\nname = \"A\"\nmembers = [\"Nowhere\"]\n",
        cities()
    );
    let e = simulate::scenario::parse_str(&text, "g.toml", "g")
        .unwrap_err()
        .to_string();
    assert!(e.contains("unique among cities and groups"), "{e}");
    assert!(e.contains("no city or group named \"Nowhere\""), "{e}");
}

#[test]
fn rivalries_choose_the_pairs_whose_overtaking_is_counted() {
    let text = format!(
        "{HEAD}{}[[group]]\nname = \"AB\"\nmembers = [\"A\", \"B\"]\n\n\
         [[rivalry]]\nseries = [\"C\", \"AB\"]\n",
        cities()
    );
    let scenario = simulate::scenario::parse_str(&text, "g.toml", "g").unwrap();
    let spec = simulate::engine::RunSpec::from_scenario(&scenario);
    // C is series 2, AB series 3 (after the cities): both orders, nothing else.
    assert_eq!(spec.pairs, vec![(2, 3), (3, 2)]);
    // Without rivalries: every ordered pair of the (at most five) largest cities.
    let plain =
        simulate::scenario::parse_str(&format!("{HEAD}{}", cities()), "g.toml", "g").unwrap();
    assert_eq!(
        simulate::engine::RunSpec::from_scenario(&plain).pairs.len(),
        6
    );
}

#[test]
fn a_rivalry_naming_an_unknown_series_says_which() {
    let text = format!(
        "{HEAD}{}[[rivalry]]\nseries = [\"A\", \"Nope\"]\n",
        cities()
    );
    let e = simulate::scenario::parse_str(&text, "g.toml", "g")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("rivalry[0].series") && e.contains("no city or group named \"Nope\""),
        "{e}"
    );
}

#[test]
fn a_deeply_nested_chain_of_groups_flattens_to_its_city() {
    // G0 contains G1 ... contains G1999 contains A: each group sums A once. (Flattening is
    // memoised: before, such a chain took time in the cube of its depth.)
    let mut text = format!("{HEAD}{}", cities());
    for i in 0..2000 {
        let member = if i + 1 < 2000 {
            format!("G{}", i + 1)
        } else {
            "A".to_string()
        };
        text.push_str(&format!(
            "[[group]]\nname = \"G{i}\"\nmembers = [\"{member}\"]\n\n"
        ));
    }
    let scenario = simulate::scenario::parse_str(&text, "g.toml", "g").unwrap();
    assert_eq!(scenario.groups.len(), 2000);
    assert!(scenario.groups.iter().all(|g| g.cities == vec![0]));
}
