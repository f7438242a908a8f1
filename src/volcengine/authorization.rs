//! Reading an `Authorization` header back into its parts (for servers, proxies and emulators that
//! verify signatures, and for debugging).

use super::sign::ALGORITHM;
use crate::error::Error;

/// The parts of `HMAC-SHA256 Credential=AK/date/region/service/request, SignedHeaders=a;b,
/// Signature=hex`.
///
/// ```
/// use imedit::volcengine::Authorization;
/// let a = Authorization::parse(
///     "HMAC-SHA256 Credential=AKLT1/20240601/cn-north-1/rtc/request, SignedHeaders=host;x-date, Signature=ab12",
/// )?;
/// assert_eq!((a.access_key_id.as_str(), a.region.as_str(), a.service.as_str()), ("AKLT1", "cn-north-1", "rtc"));
/// assert_eq!(a.signed_headers, ["host", "x-date"]);
/// # Ok::<(), imedit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The access key id.
    pub access_key_id: String,
    /// The date of the credential scope, `YYYYMMDD`.
    pub date: String,
    /// The region of the credential scope.
    pub region: String,
    /// The service of the credential scope.
    pub service: String,
    /// The signed header names, lower-case, in the order given.
    pub signed_headers: Vec<String>,
    /// The signature, hex.
    pub signature: String,
}

impl Authorization {
    /// Parses an `Authorization` header value.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (field `authorization`) when it is not of that form.
    pub fn parse(header: &str) -> Result<Self, Error> {
        Self::parse_parts(header).ok_or_else(|| {
            Error::invalid(
                "authorization",
                "expected `HMAC-SHA256 Credential=AK/date/region/service/request, SignedHeaders=..., Signature=...`",
            )
        })
    }

    fn parse_parts(header: &str) -> Option<Self> {
        let rest = header.strip_prefix(ALGORITHM)?.strip_prefix(' ')?;
        let (mut credential, mut signed, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let (key, value) = part.trim().split_once('=')?;
            let slot = match key {
                "Credential" => &mut credential,
                "SignedHeaders" => &mut signed,
                "Signature" => &mut signature,
                _ => return None,
            };
            if slot.replace(value).is_some() {
                return None;
            }
        }
        let mut scope = credential?.split('/');
        let (ak, date, region, service, terminator) =
            (scope.next()?, scope.next()?, scope.next()?, scope.next()?, scope.next()?);
        if scope.next().is_some() || terminator != "request" || [ak, date, region, service].iter().any(|p| p.is_empty())
        {
            return None;
        }
        let signed_headers: Vec<String> = signed?.split(';').map(str::to_ascii_lowercase).collect();
        let signature = signature?;
        if signed_headers.iter().any(String::is_empty) || signature.is_empty() {
            return None;
        }
        Some(Self {
            access_key_id: ak.to_owned(),
            date: date.to_owned(),
            region: region.to_owned(),
            service: service.to_owned(),
            signed_headers,
            signature: signature.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_an_authorization() {
        for bad in [
            "",
            "Bearer x",
            "HMAC-SHA256 Credential=AK/20240601/cn-north-1/rtc, SignedHeaders=host, Signature=ab",
            "HMAC-SHA256 Credential=AK/20240601/cn-north-1/rtc/request, SignedHeaders=, Signature=ab",
            "HMAC-SHA256 Credential=AK/20240601/cn-north-1/rtc/request, SignedHeaders=host, Signature=ab, Signature=cd",
            "HMAC-SHA256 Credential=/20240601/cn-north-1/rtc/request, SignedHeaders=host, Signature=ab",
        ] {
            assert_eq!(Authorization::parse(bad).map_err(|e| e.code()), Err("invalid_input"), "{bad}");
        }
    }
}
