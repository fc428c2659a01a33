//! Flamegraph SVGs of folded stacks ([`super::folded`]), drawn by inferno: one profile's, and
//! the differential one of two profiles (the second drawn, each frame coloured by how its own
//! cost changed from the first: red grew, blue shrank).
//!
//! Pure: stacks in, SVG text out. The SVG is inferno's, with its own small script for zoom and
//! search; frame names are escaped by inferno.

use std::fmt::Write as _;

/// One profile's flamegraph: `title` on top, widths in instructions.
pub fn flamegraph_svg(title: &str, stacks: &[(String, u64)]) -> Result<String, FlameError> {
    if stacks.iter().all(|(_, cost)| *cost == 0) {
        return Err(FlameError::Empty);
    }
    let lines = folded_text(stacks);
    render(title, &lines, false)
}

/// The differential flamegraph of `after` against `before`: frames sized as in `after`,
/// coloured by the change of their own cost (red: more instructions, blue: fewer). Stacks only
/// in `before` do not show (their loss shows as blue on the frames that remain).
pub fn differential_svg(
    title: &str,
    before: &[(String, u64)],
    after: &[(String, u64)],
) -> Result<String, FlameError> {
    let before = folded_text(before);
    let after = folded_text(after);
    let mut joined = Vec::new();
    inferno::differential::from_readers(
        inferno::differential::Options::default(),
        before.as_bytes(),
        after.as_bytes(),
        &mut joined,
    )
    .map_err(|e| FlameError::Join(e.to_string()))?;
    let joined = String::from_utf8(joined).map_err(|e| FlameError::Join(e.to_string()))?;
    render(title, &joined, true)
}

/// Why a flamegraph cannot be drawn.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FlameError {
    /// Every stack costs nothing.
    #[error("no stack has any instructions: nothing to draw")]
    Empty,
    /// inferno could not join the two profiles' stacks.
    #[error("cannot join the folded stacks: {0}")]
    Join(String),
    /// inferno could not draw them.
    #[error("cannot draw the flamegraph: {0}")]
    Draw(String),
}

/// Folded stacks as inferno reads them: `a;b;c 123` per line.
fn folded_text(stacks: &[(String, u64)]) -> String {
    let mut text = String::new();
    for (stack, cost) in stacks {
        let _ = writeln!(text, "{stack} {cost}");
    }
    text
}

fn render(title: &str, lines: &str, differential: bool) -> Result<String, FlameError> {
    let mut options = inferno::flamegraph::Options::default();
    options.title = title.to_string();
    options.count_name = "instructions".to_string();
    options.name_type = "Function:".to_string();
    options.deterministic = true;
    if differential {
        options.subtitle = Some("red: more instructions than before, blue: fewer".to_string());
    }
    let mut svg = Vec::new();
    inferno::flamegraph::from_lines(&mut options, lines.lines(), &mut svg)
        .map_err(|e| FlameError::Draw(e.to_string()))?;
    String::from_utf8(svg).map_err(|e| FlameError::Draw(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stacks(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
        pairs.iter().map(|(s, c)| (s.to_string(), *c)).collect()
    }

    #[test]
    fn a_flamegraph_names_every_frame_and_escapes_them() {
        let svg = flamegraph_svg(
            "parse <medium>",
            &stacks(&[
                ("main;parse;scan", 700),
                ("main;parse;<T as Trait>::f", 300),
            ]),
        )
        .expect("drawn");
        assert!(svg.starts_with("<?xml"), "{}", &svg[..80.min(svg.len())]);
        for frame in ["main", "parse", "scan", "&lt;T as Trait&gt;::f"] {
            assert!(svg.contains(frame), "{frame} is drawn");
        }
        assert!(svg.contains("parse &lt;medium&gt;"), "the title, escaped");
        assert!(!svg.contains("<T as Trait>"), "names are escaped");
    }

    #[test]
    fn a_differential_flamegraph_colours_growth_and_shrinkage() {
        let before = stacks(&[("main;fast", 500), ("main;slow", 500)]);
        let after = stacks(&[("main;fast", 500), ("main;slow", 1500)]);
        let svg = differential_svg("diff", &before, &after).expect("drawn");
        // Sizes are the new profile's; the change is a share of its total (+1,000 of 2,000).
        assert!(
            svg.contains("slow (1,500 instructions, 75.00%; +50.00%)"),
            "slow grew"
        );
        assert!(
            svg.contains("fast (500 instructions, 25.00%; 0.00%)"),
            "fast did not"
        );
        assert!(svg.contains("all (2,000 instructions, 100%)"));
    }

    #[test]
    fn no_stacks_is_refused() {
        let err = flamegraph_svg("empty", &[]).expect_err("nothing to draw");
        assert_eq!(err, FlameError::Empty);
        assert_eq!(
            err.to_string(),
            "no stack has any instructions: nothing to draw"
        );
    }
}
