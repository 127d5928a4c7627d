use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, Node, PodSpecView, Value};

pub struct FractionalByteQuantity;
pub static CHECK: FractionalByteQuantity = FractionalByteQuantity;

static META: CheckMeta = CheckMeta {
    code: "POD039",
    name: "fractional-byte-quantity",
    title: "Memory or storage quantity that is a fraction of a byte",
    severity: Severity::Medium,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: use resource limits to prevent denial of service",
        "Kubernetes API server warning (fractional byte value)",
    ],
    course: None,
    doc: r#"## What it finds
A container's `resources.limits` or `resources.requests` for `memory` or
`ephemeral-storage` whose quantity is not a whole number of bytes, most
often `m` (milli) written for `M` or `Mi`: `memory: 512m` is 0.512 bytes.
These are the values for which the API server warns "fractional byte value
... is invalid, must be an integer"; the quantity is shown in its canonical
form, as the API server shows it.

## Why it matters
The API server accepts the value and the kubelet rounds it up to whole
bytes: a memory limit of `512m` becomes 1 byte. The container cannot run
(the runtime refuses so small a limit, or the OOM killer ends it at
once), or, for a request, the scheduler reserves nothing and packs the
pod onto a full node. Either way the limit
meant to protect the node does not exist.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: shop
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    resources:
      limits:
        memory: 512m
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: shop
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    resources:
      limits:
        memory: 512Mi
```

## Fix
Write the quantity with a byte suffix: `Mi`/`Gi` (powers of 1024) or
`M`/`G` (powers of 1000). Not applied automatically: whether `512m` meant
`512Mi` or `512M` is the author's call.

## References
- Memory resource units: <https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#meaning-of-memory>
- Quantity format: <https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/>
"#,
};

/// A quantity's value in nano-units, rounded up as the API server rounds
/// (nothing finer than nano is kept). `None` when the text is not a
/// quantity, is negative, or is too large to matter here.
pub fn nano_value(text: &str) -> Option<u128> {
    let s = text.trim();
    let s = s.strip_prefix('+').unwrap_or(s);
    if s.starts_with('-') {
        return None;
    }
    let num_end = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (num, suffix) = s.split_at(num_end);
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if (int.is_empty() && frac.is_empty()) || frac.contains('.') || int.len() + frac.len() > 30 {
        return None;
    }
    let digits: u128 = format!("{int}{frac}").parse().ok()?;
    // value = digits / 10^frac.len() * 10^exp10 * 1024^exp2
    let (exp10, exp2): (i32, u32) = match suffix {
        "" => (0, 0),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 1),
        "Mi" => (0, 2),
        "Gi" => (0, 3),
        "Ti" => (0, 4),
        "Pi" => (0, 5),
        "Ei" => (0, 6),
        e if e.starts_with(['e', 'E']) => (e[1..].parse::<i32>().ok().filter(|x| x.abs() <= 18)?, 0),
        _ => return None,
    };
    let mut numer = digits.checked_mul(1024u128.checked_pow(exp2)?)?;
    let mut denom: u128 = 10u128.pow(frac.len() as u32);
    // In nano-units: multiply by 10^9.
    let scale = exp10 + 9;
    if scale >= 0 {
        numer = numer.checked_mul(10u128.checked_pow(scale as u32)?)?;
    } else {
        denom = denom.checked_mul(10u128.checked_pow((-scale) as u32)?)?;
    }
    Some(numer.div_ceil(denom))
}

/// The canonical text of a fractional quantity given in nano-units: the
/// largest of `m`, `u`, `n` that keeps the number whole.
fn canonical_fraction(nanos: u128) -> String {
    if nanos % 1_000_000 == 0 {
        format!("{}m", nanos / 1_000_000)
    } else if nanos % 1_000 == 0 {
        format!("{}u", nanos / 1_000)
    } else {
        format!("{nanos}n")
    }
}

fn quantity_text(n: &Node) -> Option<String> {
    match &n.value {
        Value::Str { text, .. } => Some(text.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

impl Check for FractionalByteQuantity {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let Some(res) = c.node.get("resources") else { return };
        for section in ["limits", "requests"] {
            let Some(map) = res.get(section) else { continue };
            for resource in ["memory", "ephemeral-storage"] {
                let Some(text) = map.get(resource).and_then(quantity_text) else {
                    continue;
                };
                let Some(nanos) = nano_value(&text) else { continue };
                // The API server's test: the milli-value, rounded up, is not whole bytes.
                let milli = nanos.div_ceil(1_000_000);
                if milli % 1000 == 0 {
                    continue;
                }
                let field = c.path.key("resources").key(section).key(resource);
                out.push(cx.container_finding(
                    &META,
                    view,
                    c,
                    &field,
                    format!(
                        "{field}: fractional byte value {:?} is invalid, must be an integer: the kubelet rounds it up to {} byte(s)",
                        canonical_fraction(nanos),
                        milli.div_ceil(1000)
                    ),
                    Some(match text.strip_suffix('m') {
                        Some(n) => format!("`m` is milli: write `{n}Mi` or `{n}M`"),
                        None => "write a whole number of bytes (suffixes Ki, Mi, Gi or k, M, G)".into(),
                    }),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_in_nano_units() {
        assert_eq!(nano_value("512m"), Some(512_000_000));
        assert_eq!(nano_value("1"), Some(1_000_000_000));
        assert_eq!(nano_value("0.5"), Some(500_000_000));
        assert_eq!(nano_value("1Ki"), Some(1024 * 1_000_000_000));
        assert_eq!(nano_value("0.3Ki"), Some(307_200_000_000));
        assert_eq!(nano_value("1e3"), Some(1_000_000_000_000));
        assert_eq!(nano_value("1.5e-3"), Some(1_500_000));
        assert_eq!(nano_value("0.0000000001"), Some(1)); // rounded up to 1n
        assert_eq!(nano_value("-1"), None);
        assert_eq!(nano_value("12Q"), None);
        assert_eq!(nano_value(""), None);
    }

    #[test]
    fn canonical_text_of_fractions() {
        assert_eq!(canonical_fraction(512_000_000), "512m");
        assert_eq!(canonical_fraction(1_500_000_000), "1500m");
        assert_eq!(canonical_fraction(500_000), "500u");
        assert_eq!(canonical_fraction(7), "7n");
    }
}
