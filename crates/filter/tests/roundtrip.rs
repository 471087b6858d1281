//! Property: printing a parsed filter and parsing it again gives the same tree.

use proptest::prelude::*;
use wirecrab_filter::parse;

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("tcp.port".to_string()),
        Just("ip.addr".to_string()),
        Just("10.0.0.0/8".to_string()),
        Just("00:1b:21".to_string()),
        Just("fe80::1".to_string()),
        Just("443".to_string()),
        Just("eth.src[0:3]".to_string()),
        Just("ip.src#2".to_string()),
        Just("ip.src#[1-2]".to_string()),
        Just("frame[0:3,5,-2:]".to_string()),
        Just("'A'".to_string()),
        Just("r\"\\d+\"".to_string()),
        Just("-5".to_string()),
        Just("len(http.host)".to_string()),
        "[a-z]{1,5}(\\.[a-z]{1,5}){0,2}",
        "\"[ -~]{0,8}\"".prop_map(|s| s.replace('\\', "")),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    atom().prop_recursive(4, 32, 3, |inner| {
        prop_oneof![
            (inner.clone(), prop::sample::select(vec!["==", "!=", ">", "<=", "contains", "matches", "===", "!=="]), inner.clone())
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            (inner.clone(), prop::sample::select(vec!["and", "or", "&&", "||", "xor"]), inner.clone())
                .prop_map(|(a, op, b)| format!("({a}) {op} ({b})")),
            inner.clone().prop_map(|a| format!("not ({a})")),
            (prop::sample::select(vec!["any", "all"]), inner.clone(), inner.clone()).prop_map(|(q, a, b)| format!("{q} {a} == {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} bitwise_and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{{a} + {b}}}")),
            (inner.clone(), prop::collection::vec(atom(), 1..4)).prop_map(|(a, v)| format!("{a} in {{{}}}", v.join(", "))),
        ]
    })
}

proptest! {
    #[test]
    fn print_then_parse_is_identity(src in expr()) {
        if let Ok(tree) = parse(&src) {
            let printed = tree.to_string();
            let again = parse(&printed).unwrap_or_else(|e| panic!("{printed:?} does not parse: {e}"));
            prop_assert_eq!(tree, again, "{} -> {}", src, printed);
        }
    }

    #[test]
    fn any_text_gets_a_tree_or_an_error(src in "\\PC{0,64}") {
        let _ = parse(&src);
    }
}
