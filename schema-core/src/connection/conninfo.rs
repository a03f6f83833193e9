//! Reading connection strings as libpq does, for the parameters tokio-postgres does not know
//! or reads differently: `sslmode` (it lacks `verify-ca`/`verify-full`), `sslrootcert`, and
//! `connect_timeout` (it ignores 0, which libpq reads as "no limit"). They are taken out of a
//! URL's query or a key=value string; the rest is handed to tokio-postgres.

/// The parameters taken out of a connection string, as written.
#[derive(Default, Debug)]
pub(super) struct TakenParams {
    pub(super) mode: Option<String>,
    pub(super) root_cert: Option<String>,
    pub(super) connect_timeout: Option<String>,
}

impl TakenParams {
    /// Takes the parameters out of `url` (a `postgres://` URL or a key=value string); returns
    /// what is left for tokio-postgres. A key=value string that libpq would refuse is refused
    /// with the reason.
    pub(super) fn take_from(url: &str) -> Result<(String, TakenParams), String> {
        let mut params = TakenParams::default();
        let mut keep = |key: &str, value: String| match key {
            "sslmode" => {
                params.mode = Some(value);
                false
            }
            "sslrootcert" => {
                params.root_cert = Some(value);
                false
            }
            "connect_timeout" => {
                params.connect_timeout = Some(value);
                false
            }
            _ => true,
        };
        let rest = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            match url.split_once('?') {
                None => url.to_string(),
                Some((base, query)) => {
                    let kept: Vec<&str> = query
                        .split('&')
                        .filter(|pair| {
                            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                            keep(key, percent_decode(value))
                        })
                        .collect();
                    if kept.is_empty() {
                        base.to_string()
                    } else {
                        format!("{base}?{}", kept.join("&"))
                    }
                }
            }
        } else {
            key_values(url)?
                .into_iter()
                .filter(|(key, value)| keep(key, value.clone()))
                .map(|(key, value)| format!("{key}={}", quote(&value)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        Ok((rest, params))
    }
}

/// The pairs of a libpq key=value string: whitespace may surround `=`; a value is a run of
/// non-blank characters or a single-quoted string, `\` escaping the next character in both.
pub(super) fn key_values(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '=') {
            key.push(c);
        }
        if key.is_empty() {
            if chars.peek() == Some(&'=') {
                return Err("a `=` has no parameter name before it".into());
            }
            return Ok(pairs);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') {
            return Err(format!("`{key}` is not followed by `=` and a value"));
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    None => return Err(format!("the quoted value of `{key}` has no closing `'`")),
                    Some('\'') => break,
                    Some('\\') => value.extend(chars.next()),
                    Some(c) => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
        }
        pairs.push((key, value));
    }
}

/// A value as tokio-postgres reads it back: quoted, with `\` and `'` escaped.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\\' || c == '\'' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        key_values(text).unwrap()
    }

    #[test]
    fn spaces_around_the_equals_sign_are_allowed_as_in_libpq() {
        assert_eq!(
            pairs("host=h  sslmode = require\tdbname =qb"),
            [
                ("host".into(), "h".into()),
                ("sslmode".into(), "require".into()),
                ("dbname".into(), "qb".into())
            ]
        );
    }

    #[test]
    fn quoted_values_keep_spaces_and_escapes() {
        assert_eq!(
            pairs(r"password = 'it\'s a \\ secret' user=a\ b"),
            [
                ("password".into(), r"it's a \ secret".into()),
                ("user".into(), "a b".into())
            ]
        );
        assert_eq!(pairs("password=''"), [("password".into(), "".into())]);
    }

    #[test]
    fn what_libpq_refuses_is_refused_with_the_reason() {
        assert!(key_values("host").unwrap_err().contains("`host`"));
        assert!(key_values("host=h =x")
            .unwrap_err()
            .contains("no parameter name"));
        assert!(key_values("password='open")
            .unwrap_err()
            .contains("no closing"));
    }

    #[test]
    fn taken_parameters_leave_the_rest_readable_by_tokio_postgres() {
        let (rest, taken) = TakenParams::take_from(
            r"host=h sslmode = require password='a b\'c' connect_timeout= 3 dbname=qb",
        )
        .unwrap();
        assert_eq!(taken.mode.as_deref(), Some("require"));
        assert_eq!(taken.connect_timeout.as_deref(), Some("3"));
        let config: tokio_postgres::Config = rest.parse().unwrap();
        assert_eq!(config.get_password(), Some(&b"a b'c"[..]));
        assert_eq!(config.get_dbname(), Some("qb"));
    }

    #[test]
    fn url_parameters_are_percent_decoded() {
        let (rest, taken) = TakenParams::take_from(
            "postgres://u:p%40ss@h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=x&connect_timeout=0",
        )
        .unwrap();
        assert_eq!(rest, "postgres://u:p%40ss@h/db?application_name=x");
        assert_eq!(taken.mode.as_deref(), Some("verify-full"));
        assert_eq!(taken.root_cert.as_deref(), Some("/etc/ca.pem"));
        assert_eq!(taken.connect_timeout.as_deref(), Some("0"));
    }
}
