//! A look at a YAML text's nesting before the library parses it: the library takes time
//! that grows with the square of a flow collection's depth (`[[[[…]]]]`), so a hostile file
//! of 200 KB would run for minutes and take gigabytes.
//!
//! The scan follows YAML closely enough to count what makes depth: flow collections (`[`,
//! `{` outside quotes, comments and block scalars) and the compact block entries of one
//! line (`- - - x`). Block nesting by indentation is left alone: the library handles it in
//! linear time, and the file size limit bounds it. Where the scan cannot tell, it counts (a
//! stray `[` in a multi-line plain scalar), so it may refuse a strange file but never lets a
//! deep one through.

/// The deepest nesting accepted. Real scenarios and catalogs nest fewer than 10 levels; the
/// YAML library itself stops deserialising at 128.
pub const MAX_DEPTH: usize = 64;

/// The 1-based line and column of the first collection that goes past [`MAX_DEPTH`].
pub fn check(text: &str) -> Result<(), (usize, usize)> {
    let mut scan = Scan::default();
    for (i, line) in text.lines().enumerate() {
        scan.line(line).map_err(|column| (i + 1, column))?;
    }
    Ok(())
}

#[derive(Default)]
struct Scan {
    /// Open flow collections, carried across lines.
    flow: usize,
    /// An open quoted scalar (its quote), carried across lines.
    quote: Option<char>,
    /// Inside a block scalar whose node starts at this column: lines indented deeper are text.
    block_scalar: Option<usize>,
}

impl Scan {
    /// Scans one line; `Err` holds the 1-based column of the collection too deep.
    fn line(&mut self, line: &str) -> Result<(), usize> {
        let chars: Vec<char> = line.chars().collect();
        let indent = chars.iter().take_while(|c| **c == ' ').count();
        if let Some(parent) = self.block_scalar {
            if indent >= chars.len() || indent > parent {
                return Ok(());
            }
            self.block_scalar = None;
        }
        let mut i = 0;
        let mut compact = 0;
        let mut node_column = indent;
        if self.quote.is_none() && self.flow == 0 {
            // Compact entries: each `- ` or `? ` at the start of a line opens a level.
            i = indent;
            while i < chars.len() && matches!(chars[i], '-' | '?') && blank_at(&chars, i + 1) {
                compact += 1;
                node_column = i;
                i += 1;
                while i < chars.len() && matches!(chars[i], ' ' | '\t') {
                    i += 1;
                }
            }
            if compact > MAX_DEPTH {
                return Err(node_column + 1);
            }
        }
        let mut at_node = true;
        while i < chars.len() {
            let c = chars[i];
            if let Some(q) = self.quote {
                if c == q {
                    if q == '\'' && chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    self.quote = None;
                    at_node = false;
                } else if c == '\\' && q == '"' {
                    i += 1;
                }
                i += 1;
                continue;
            }
            let after_blank = i == 0 || matches!(chars[i - 1], ' ' | '\t');
            match c {
                '#' if after_blank => return Ok(()),
                ' ' | '\t' => {}
                '[' | '{' if at_node || self.flow > 0 => {
                    self.flow += 1;
                    if self.flow + compact > MAX_DEPTH {
                        return Err(i + 1);
                    }
                    at_node = true;
                }
                ']' | '}' if self.flow > 0 => {
                    self.flow -= 1;
                    at_node = false;
                }
                ',' if self.flow > 0 => at_node = true,
                '"' | '\'' if at_node => self.quote = Some(c),
                ':' if self.flow > 0 || blank_at(&chars, i + 1) => at_node = true,
                '|' | '>' if at_node && self.flow == 0 => {
                    self.block_scalar = Some(node_column);
                    return Ok(());
                }
                '&' | '!' if at_node => {
                    // An anchor or tag comes before the node it names.
                    while i < chars.len() && !matches!(chars[i], ' ' | '\t') {
                        i += 1;
                    }
                    continue;
                }
                _ => {
                    if self.flow == 0 && at_node {
                        // A block plain scalar or key: brackets and quotes in it are text; only
                        // `: ` (a value follows) and ` #` (a comment) end it.
                        node_column = i;
                    }
                    at_node = false;
                }
            }
            i += 1;
        }
        Ok(())
    }
}

fn blank_at(chars: &[char], i: usize) -> bool {
    chars.get(i).is_none_or(|c| matches!(c, ' ' | '\t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(open: &str, close: &str, n: usize) -> String {
        format!("description: {}1{}\n", open.repeat(n), close.repeat(n))
    }

    #[test]
    fn real_files_pass() {
        for text in [
            include_str!("../../scenarios/smoke.yaml"),
            include_str!("../../scenarios/load-mixed.yaml"),
            include_str!("../../scenarios/conformance.yaml"),
            include_str!("../../fixtures/cases.yaml"),
            include_str!("../../fixtures/members.yaml"),
            include_str!("../../fixtures/errors.yaml"),
        ] {
            assert_eq!(check(text), Ok(()));
        }
        assert_eq!(check(&nested("[", "]", MAX_DEPTH)), Ok(()));
        assert_eq!(check(&nested("{a: ", "}", MAX_DEPTH)), Ok(()));
    }

    #[test]
    fn deep_flow_collections_are_placed() {
        assert_eq!(check(&nested("[", "]", 100_000)), Err((1, 14 + MAX_DEPTH)));
        let text = format!("a: 1\nb:\n  c: {}", "{k: ".repeat(MAX_DEPTH + 1));
        assert_eq!(check(&text), Err((3, 6 + 4 * MAX_DEPTH)));
        // Nesting carried over lines counts as on one.
        let text = format!("a: [\n{}", "[\n".repeat(MAX_DEPTH));
        assert_eq!(check(&text), Err((MAX_DEPTH + 1, 1)));
    }

    #[test]
    fn compact_entries_count() {
        let text = format!("a:\n{}x\n", "- ".repeat(MAX_DEPTH + 1));
        assert_eq!(check(&text), Err((2, 2 * MAX_DEPTH + 1)));
        let text = format!("a:\n{}[]\n", "- ".repeat(MAX_DEPTH));
        assert_eq!(check(&text), Err((2, 2 * MAX_DEPTH + 1)));
    }

    #[test]
    fn brackets_that_are_text_do_not_count() {
        let deep = "[".repeat(MAX_DEPTH + 1);
        for text in [
            format!("a: \"{deep}\"\n"),
            format!("a: '{deep}'\n"),
            format!("a: 'it''s {deep}'\n"),
            format!("a: \"\\\" {deep}\"\n"),
            format!("a: x {deep}\n"),
            format!("a: 1 # {deep}\n"),
            format!("# {deep}\n"),
            format!("a: |\n  {deep}\n  {deep}\nb: 1\n"),
            format!("- a: >-\n    {deep}\n- b\n"),
            format!("a: [\"{deep}\", '{deep}']\n"),
            format!("a: \"two\n  lines {deep}\"\n"),
            format!("a: &x !!str x{deep}\n"),
        ] {
            assert_eq!(check(&text), Ok(()), "{text}");
        }
    }

    #[test]
    fn a_tagged_or_anchored_collection_counts() {
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert!(check(&format!("a: &x !!seq {deep}\n")).is_err());
        assert!(check(&format!("a: \"k\": {deep}\n")).is_err());
    }

    #[test]
    fn a_block_scalar_ends_where_its_indentation_does() {
        let deep = "[".repeat(MAX_DEPTH + 1);
        let text = format!("- - |\n    text\n  - {deep}\n");
        assert_eq!(check(&text), Err((3, 4 + MAX_DEPTH)));
        let text = format!("a: |\n  text\nb: {deep}\n");
        assert!(check(&text).is_err());
    }
}
