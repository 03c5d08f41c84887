//! The tax id object (`txi_…`) as Stripe renders it, Stripe's enum of tax id types,
//! and format checks for the common ones (`eu_vat`, `us_ein`, `gb_vat`, `au_abn`,
//! `ca_bn`, `in_gst`); other types are accepted as given.

use serde::Serialize;
use serde_json::{json, Value};

use crate::wire::codec::{Message, Reader, Writer};
use crate::wire::error::ApiError;
use crate::wire::fields::Fields;

/// At most this many tax ids per customer (Stripe's `tax_id_data` limit, and seed 004's).
pub const TAX_IDS_MAX: usize = 25;

/// A tax id attached to the customer (`txi_…`), as Stripe renders it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaxId {
    pub id: String,
    pub object: String,
    pub country: Option<String>,
    pub created: i64,
    pub customer: String,
    pub livemode: bool,
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
    pub verification: Value,
}

impl TaxId {
    /// Reads a stored tax id (`wire::fields`).
    pub fn read(mut f: Fields) -> Option<Self> {
        Some(TaxId {
            id: f.string("id")?,
            object: f.string("object")?,
            country: f.opt_string("country")?,
            created: f.int("created")?,
            customer: f.string("customer")?,
            livemode: f.bool("livemode")?,
            kind: f.string("type")?,
            value: f.string("value")?,
            verification: f.value("verification")?,
        })
    }
}

/// Every `type` Stripe accepts in `tax_id_data[][type]`.
pub const TAX_ID_TYPES: &[&str] = &[
    "ad_nrt",
    "ae_trn",
    "al_tin",
    "am_tin",
    "ao_tin",
    "ar_cuit",
    "au_abn",
    "au_arn",
    "aw_tin",
    "az_tin",
    "ba_tin",
    "bb_tin",
    "bd_bin",
    "bf_ifu",
    "bg_uic",
    "bh_vat",
    "bj_ifu",
    "bo_tin",
    "br_cnpj",
    "br_cpf",
    "bs_tin",
    "by_tin",
    "ca_bn",
    "ca_gst_hst",
    "ca_pst_bc",
    "ca_pst_mb",
    "ca_pst_sk",
    "ca_qst",
    "cd_nif",
    "ch_uid",
    "ch_vat",
    "cl_tin",
    "cm_niu",
    "cn_tin",
    "co_nit",
    "cr_tin",
    "cv_nif",
    "de_stn",
    "do_rcn",
    "ec_ruc",
    "eg_tin",
    "es_cif",
    "et_tin",
    "eu_oss_vat",
    "eu_vat",
    "gb_vat",
    "ge_vat",
    "gn_nif",
    "hk_br",
    "hr_oib",
    "hu_tin",
    "id_npwp",
    "il_vat",
    "in_gst",
    "is_vat",
    "jp_cn",
    "jp_rn",
    "jp_trn",
    "ke_pin",
    "kg_tin",
    "kh_tin",
    "kr_brn",
    "kz_bin",
    "la_tin",
    "li_uid",
    "li_vat",
    "ma_vat",
    "md_vat",
    "me_pib",
    "mk_vat",
    "mr_nif",
    "mx_rfc",
    "my_frp",
    "my_itn",
    "my_sst",
    "ng_tin",
    "no_vat",
    "no_voec",
    "np_pan",
    "nz_gst",
    "om_vat",
    "pe_ruc",
    "ph_tin",
    "ro_tin",
    "rs_pib",
    "ru_inn",
    "ru_kpp",
    "sa_vat",
    "sg_gst",
    "sg_uen",
    "si_tin",
    "sn_ninea",
    "sr_fin",
    "sv_nit",
    "th_vat",
    "tj_tin",
    "tr_tin",
    "tw_vat",
    "tz_vat",
    "ua_vat",
    "ug_tin",
    "us_ein",
    "uy_ruc",
    "uz_tin",
    "uz_vat",
    "ve_rif",
    "vn_tin",
    "za_vat",
    "zm_tin",
    "zw_tin",
];

/// VAT prefixes of the EU member states (Greece is `EL`; `XI` is Northern Ireland).
const EU_VAT_PREFIXES: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
];

/// A validated `{type, value}` pair, before it becomes a `txi_` object.
#[derive(Debug, Clone, PartialEq)]
pub struct TaxIdData {
    pub kind: String,
    pub value: String,
}

impl Message for TaxIdData {
    fn write(&self, w: &mut Writer) {
        w.str(&self.kind);
        w.str(&self.value);
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(TaxIdData {
            kind: r.string()?,
            value: r.string()?,
        })
    }
}

impl TaxIdData {
    /// Checks `kind` against the enum and `value` against the type's format.
    /// `param` is the bracket path of the element, e.g. `tax_id_data[0]`, or empty for
    /// the top-level `type` and `value` of `POST /v1/customers/{id}/tax_ids`.
    pub fn parse(param: &str, kind: String, value: String) -> Result<Self, ApiError> {
        let name = |field: &str| match param {
            "" => field.to_owned(),
            _ => format!("{param}[{field}]"),
        };
        if !TAX_ID_TYPES.contains(&kind.as_str()) {
            let type_name = name("type");
            return Err(ApiError::invalid(
                type_name.clone(),
                format!("Invalid {type_name}: must be one of the supported tax id types, e.g. eu_vat, us_ein, gb_vat"),
            ));
        }
        let value = normalise(&value);
        if !value_is_valid(&kind, &value) {
            return Err(ApiError::invalid_with_code(
                name("value"),
                "tax_id_invalid",
                format!("Invalid value for {kind}."),
            ));
        }
        Ok(TaxIdData { kind, value })
    }

    /// The country this tax id belongs to, where the type implies one.
    pub fn country(&self) -> Option<String> {
        match self.kind.as_str() {
            "eu_vat" => self.value.get(..2).map(|prefix| match prefix {
                "EL" => "GR".to_owned(),
                "XI" => "GB".to_owned(),
                prefix => prefix.to_owned(),
            }),
            "eu_oss_vat" => None,
            kind => kind.split('_').next().map(str::to_ascii_uppercase),
        }
    }

    /// The `txi_` object for this tax id on `customer`.
    pub fn into_tax_id(self, id: String, customer: &str, created: i64, livemode: bool) -> TaxId {
        let status = verification_status(&self.kind);
        TaxId {
            id,
            object: "tax_id".into(),
            country: self.country(),
            created,
            customer: customer.to_owned(),
            livemode,
            verification: json!({
                "status": status,
                "verified_address": null,
                "verified_name": null,
            }),
            kind: self.kind,
            value: self.value,
        }
    }
}

/// The verification status a new tax id starts with. Stripe checks EU VAT numbers
/// (VIES), UK VAT numbers (HMRC) and Australian ABNs against government databases,
/// asynchronously: those start `pending` (STRIPE-FACTS §10). Stripe verifies no other
/// type, and this API verifies none at all, so those are `unavailable` and a pending
/// one stays pending.
pub fn verification_status(kind: &str) -> &'static str {
    match kind {
        "eu_vat" | "gb_vat" | "au_abn" => "pending",
        _ => "unavailable",
    }
}

/// Stripe stores ids without surrounding white space; most formats are upper case.
fn normalise(value: &str) -> String {
    value.trim().to_owned()
}

fn value_is_valid(kind: &str, value: &str) -> bool {
    if value.is_empty() || value.chars().any(char::is_control) {
        return false;
    }
    match kind {
        "eu_vat" => is_eu_vat(value),
        "us_ein" => matches_shape(value, "DD-DDDDDDD"),
        "gb_vat" => is_gb_vat(value),
        "au_abn" => value.len() == 11 && all_digits(value),
        "ca_bn" => value.len() == 9 && all_digits(value),
        "in_gst" => is_in_gst(value),
        _ => value.chars().count() <= 64,
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `shape` uses `D` for a digit, `A` for an uppercase letter, `X` for either; anything else is literal.
fn matches_shape(value: &str, shape: &str) -> bool {
    value.len() == shape.len()
        && value.bytes().zip(shape.bytes()).all(|(v, s)| match s {
            b'D' => v.is_ascii_digit(),
            b'A' => v.is_ascii_uppercase(),
            b'X' => v.is_ascii_digit() || v.is_ascii_uppercase(),
            literal => v == literal,
        })
}

fn is_eu_vat(value: &str) -> bool {
    let (prefix, rest) = value.split_at(value.len().min(2));
    EU_VAT_PREFIXES.contains(&prefix)
        && (2..=12).contains(&rest.len())
        && rest
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'+' || b == b'*')
}

fn is_gb_vat(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("GB") else {
        return false;
    };
    ((rest.len() == 9 || rest.len() == 12) && all_digits(rest))
        || matches_shape(rest, "GDDDD")
        || matches_shape(rest, "HADDD")
}

fn is_in_gst(value: &str) -> bool {
    matches_shape(value, "DDAAAAADDDDAXZX")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_examples_of_each_checked_type_are_valid() {
        let cases = [
            ("eu_vat", "DE123456789"),
            ("eu_vat", "EL123456789"),
            ("us_ein", "12-3456789"),
            ("gb_vat", "GB123456789"),
            ("au_abn", "12345678912"),
            ("ca_bn", "123456789"),
            ("in_gst", "12ABCDE3456FGZH"),
        ];
        for (kind, value) in cases {
            assert!(
                TaxIdData::parse("tax_id_data[0]", kind.into(), value.into()).is_ok(),
                "{kind} {value} should be valid"
            );
        }
    }

    #[test]
    fn malformed_values_are_rejected_with_tax_id_invalid_on_the_value_param() {
        let cases = [
            ("eu_vat", "US123456789", "not an EU prefix"),
            ("eu_vat", "DE1", "too short"),
            ("us_ein", "123456789", "missing dash"),
            ("gb_vat", "GB12345", "wrong length"),
            ("au_abn", "1234567891", "ten digits"),
            ("ca_bn", "12345678A", "letter"),
            ("in_gst", "12ABCDE3456FGXH", "no Z at position 14"),
        ];
        for (kind, value, why) in cases {
            let err = TaxIdData::parse("tax_id_data[1]", kind.into(), value.into()).unwrap_err();
            assert_eq!(err.param(), Some("tax_id_data[1][value]"), "{why}");
            assert_eq!(err.code(), Some("tax_id_invalid"), "{why}");
        }
    }

    #[test]
    fn an_unknown_type_is_rejected_on_the_type_param() {
        let err = TaxIdData::parse("tax_id_data[0]", "xx_tin".into(), "1".into()).unwrap_err();
        assert_eq!(err.param(), Some("tax_id_data[0][type]"));
    }

    #[test]
    fn the_country_comes_from_the_type_or_the_vat_prefix() {
        let data = |k: &str, v: &str| TaxIdData {
            kind: k.into(),
            value: v.into(),
        };
        assert_eq!(
            data("us_ein", "12-3456789").country().as_deref(),
            Some("US")
        );
        assert_eq!(
            data("eu_vat", "EL123456789").country().as_deref(),
            Some("GR")
        );
        assert_eq!(
            data("eu_vat", "FR12345678901").country().as_deref(),
            Some("FR")
        );
    }
}
