//! TLS with rustls, as libpq's `sslmode` means it: `disable`, `prefer` and `require` encrypt
//! without checking who answers; `verify-ca` checks the certificate chain against the roots;
//! `verify-full` also checks that the certificate names the host. The roots are the file
//! `sslrootcert` names, else the system's store.
//!
//! Without the `tls` feature there is no TLS: `disable` and `prefer` connect in plain text,
//! and a mode that requires TLS is refused before connecting, naming the feature.

use std::path::PathBuf;
#[cfg(feature = "tls")]
use std::{path::Path, sync::Arc};

#[cfg(feature = "tls")]
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
#[cfg(feature = "tls")]
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
#[cfg(feature = "tls")]
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
#[cfg(feature = "tls")]
use rustls::pki_types::pem::PemObject;
#[cfg(feature = "tls")]
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
#[cfg(feature = "tls")]
use rustls::server::ParsedCertificate;
#[cfg(feature = "tls")]
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

/// What tokio-postgres makes connections with: rustls, or plain text only.
#[cfg(feature = "tls")]
pub(crate) type Connector = tokio_postgres_rustls::MakeRustlsConnect;
/// What tokio-postgres makes connections with: rustls, or plain text only.
#[cfg(not(feature = "tls"))]
pub(crate) type Connector = tokio_postgres::NoTls;

/// How much a connection trusts the server, as libpq's `sslmode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SslMode {
    /// Plain text.
    Disable,
    /// TLS when the server offers it, else plain text; the certificate is not checked.
    #[default]
    Prefer,
    /// TLS or no connection; the certificate is not checked (unless `sslrootcert` is given,
    /// which makes it `verify-ca`, as in libpq).
    Require,
    /// TLS, with a certificate signed by a trusted root.
    VerifyCa,
    /// TLS, with a certificate signed by a trusted root that names the host.
    VerifyFull,
}

impl SslMode {
    /// Parses the spellings libpq accepts.
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "disable" => SslMode::Disable,
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    /// What tokio-postgres needs to know: whether TLS is tried, and whether it is required.
    pub(crate) fn transport(self) -> tokio_postgres::config::SslMode {
        match self {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            _ => tokio_postgres::config::SslMode::Require,
        }
    }
}

/// The TLS settings of a connection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// Whether TLS is used and what is checked (`sslmode`); `prefer` unless set.
    pub mode: SslMode,
    /// A PEM file of trusted root certificates (`sslrootcert`); `None` or `system`: the
    /// system's store.
    pub root_cert: Option<PathBuf>,
}

/// Why TLS could not be set up before connecting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The `sslrootcert` file cannot be read, or is not PEM.
    #[cfg(feature = "tls")]
    #[error("cannot read the root certificates `{}` (sslrootcert)", path.display())]
    RootCert {
        /// The file.
        path: PathBuf,
        /// The reader's error (an I/O error among its variants).
        #[source]
        source: rustls::pki_types::pem::Error,
    },
    /// The `sslrootcert` file holds no PEM certificate.
    #[error("the root certificates file `{}` (sslrootcert) holds no PEM certificate", path.display())]
    NoRootCert {
        /// The file.
        path: PathBuf,
    },
    /// rustls refuses a certificate of the `sslrootcert` file as a root.
    #[cfg(feature = "tls")]
    #[error("a certificate of `{}` (sslrootcert) cannot be a root", path.display())]
    BadRootCert {
        /// The file.
        path: PathBuf,
        /// rustls's refusal.
        #[source]
        source: rustls::Error,
    },
    /// No `sslrootcert` was given and the system's store yields no certificate; holds the
    /// first error met, if any.
    #[cfg(feature = "tls")]
    #[error("the system's root certificates cannot be loaded{}", if source.is_none() { ": none found" } else { "" })]
    SystemRoots {
        /// The first error met while loading them.
        #[source]
        source: Option<rustls_native_certs::Error>,
    },
    /// rustls refused the configuration (e.g. no protocol version its crypto provider
    /// supports).
    #[cfg(feature = "tls")]
    #[error("TLS cannot be set up")]
    Setup(#[source] rustls::Error),
    /// The `sslmode` requires TLS, and this build of schema-core has none.
    #[cfg(not(feature = "tls"))]
    #[error(
        "sslmode={mode} needs TLS, which this build leaves out: enable schema-core's `tls` feature"
    )]
    NotBuilt {
        /// The mode asked for, as libpq spells it.
        mode: &'static str,
    },
}

impl SslMode {
    /// libpq's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

#[cfg(not(feature = "tls"))]
impl TlsSettings {
    /// The connector tokio-postgres uses for these settings: plain text, which `disable` and
    /// `prefer` accept; the modes that require TLS are refused.
    pub fn connector(&self) -> Result<Connector, TlsError> {
        match self.mode {
            SslMode::Disable | SslMode::Prefer => Ok(tokio_postgres::NoTls),
            mode => Err(TlsError::NotBuilt {
                mode: mode.as_str(),
            }),
        }
    }
}

#[cfg(feature = "tls")]
impl TlsSettings {
    /// The connector tokio-postgres uses for these settings.
    pub fn connector(&self) -> Result<Connector, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verify_chain = match self.mode {
            SslMode::VerifyCa | SslMode::VerifyFull => true,
            SslMode::Require => self.root_cert.is_some(),
            SslMode::Disable | SslMode::Prefer => false,
        };
        let roots = if verify_chain {
            Some(self.roots()?)
        } else {
            None
        };
        let verifier = Verifier {
            roots,
            check_name: self.mode == SslMode::VerifyFull,
            provider: provider.clone(),
        };
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(TlsError::Setup)?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        Ok(Connector::new(config))
    }

    fn roots(&self) -> Result<RootCertStore, TlsError> {
        let mut roots = RootCertStore::empty();
        match self.root_cert.as_deref() {
            Some(path) if path != Path::new("system") => {
                let path = path.to_path_buf();
                let unreadable = |source| TlsError::RootCert {
                    path: path.clone(),
                    source,
                };
                let certs = CertificateDer::pem_file_iter(&path)
                    .map_err(unreadable)?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(unreadable)?;
                if certs.is_empty() {
                    return Err(TlsError::NoRootCert { path });
                }
                for cert in certs {
                    roots.add(cert).map_err(|source| TlsError::BadRootCert {
                        path: path.clone(),
                        source,
                    })?;
                }
            }
            _ => {
                let mut found = rustls_native_certs::load_native_certs();
                if found.certs.is_empty() {
                    let first = (!found.errors.is_empty()).then(|| found.errors.swap_remove(0));
                    return Err(TlsError::SystemRoots { source: first });
                }
                roots.add_parsable_certificates(found.certs);
            }
        }
        Ok(roots)
    }
}

/// Checks the chain (when there are roots) and the name (for `verify-full`); the handshake's
/// signatures are always checked, so an encrypted connection is never to a forger of the
/// certificate it shows.
#[cfg(feature = "tls")]
#[derive(Debug)]
struct Verifier {
    roots: Option<RootCertStore>,
    check_name: bool,
    provider: Arc<CryptoProvider>,
}

#[cfg(feature = "tls")]
impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(roots) = &self.roots {
            let cert = ParsedCertificate::try_from(end_entity)?;
            verify_server_cert_signed_by_trust_anchor(
                &cert,
                roots,
                intermediates,
                now,
                self.provider.signature_verification_algorithms.all,
            )?;
            if self.check_name {
                verify_server_name(&cert, server_name)?;
            }
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libpq_spellings() {
        assert_eq!(SslMode::parse("verify-full"), Some(SslMode::VerifyFull));
        assert_eq!(SslMode::parse("allow"), Some(SslMode::Prefer));
        assert_eq!(SslMode::parse("required"), None);
        for mode in ["disable", "prefer", "require", "verify-ca", "verify-full"] {
            assert_eq!(SslMode::parse(mode).map(SslMode::as_str), Some(mode));
        }
    }

    #[cfg(not(feature = "tls"))]
    #[test]
    fn without_the_feature_only_plain_text_modes_connect() {
        let with = |mode| TlsSettings {
            mode,
            root_cert: None,
        };
        assert!(with(SslMode::Disable).connector().is_ok());
        assert!(with(SslMode::Prefer).connector().is_ok());
        let err = with(SslMode::Require).connector().expect_err("refused");
        assert_eq!(
            err.to_string(),
            "sslmode=require needs TLS, which this build leaves out: enable schema-core's `tls` \
             feature"
        );
    }

    #[cfg(feature = "tls")]
    #[test]
    fn a_missing_root_file_is_named() {
        let settings = TlsSettings {
            mode: SslMode::VerifyFull,
            root_cert: Some("/no/such/root.crt".into()),
        };
        let err = settings.connector().err().expect("refused");
        assert!(err.to_string().contains("/no/such/root.crt"), "{err}");
        // The reader's error is kept, and printed once, after the message.
        let TlsError::RootCert { source, .. } = &err else {
            panic!("{err:?}");
        };
        assert!(
            matches!(source, rustls::pki_types::pem::Error::Io(_)),
            "{source:?}"
        );
        assert!(std::error::Error::source(&err).is_some());
        let chain = crate::errors::error_chain(&err);
        assert_eq!(chain.matches("/no/such/root.crt").count(), 1, "{chain}");
        assert!(chain.contains("No such file"), "{chain}");
    }

    #[cfg(feature = "tls")]
    #[test]
    fn a_root_file_without_certificates_is_named() {
        let file = tempfile_with("not a certificate\n");
        let settings = TlsSettings {
            mode: SslMode::VerifyCa,
            root_cert: Some(file.clone()),
        };
        let err = settings.connector().err().expect("refused");
        assert!(matches!(err, TlsError::NoRootCert { .. }), "{err:?}");
        assert!(std::error::Error::source(&err).is_none());
        let _ = std::fs::remove_file(file);
    }

    #[cfg(feature = "tls")]
    #[test]
    fn rustls_errors_are_kept_as_sources() {
        let refused = || rustls::Error::General("no protocol version".into());
        crate::errors::assert_keeps_source::<rustls::Error>(&TlsError::Setup(refused()));
        crate::errors::assert_keeps_source::<rustls::Error>(&TlsError::BadRootCert {
            path: "/etc/ca.pem".into(),
            source: refused(),
        });
        let none = TlsError::SystemRoots { source: None };
        assert!(std::error::Error::source(&none).is_none());
        assert!(none.to_string().ends_with("none found"), "{none}");
    }

    #[cfg(feature = "tls")]
    fn tempfile_with(text: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("schema-core-tls-{}.pem", std::process::id()));
        std::fs::write(&path, text).unwrap();
        path
    }
}
