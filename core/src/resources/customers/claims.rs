//! The claim step of a customer create or update that names objects the AccountObject
//! holds. In one synchronous block there, `claim` checks every reference and takes what
//! the customer write needs: it redeems the coupon or promotion code (counting the
//! redemption), attaches the payment method (a magic id makes a new `pm_…`), resolves
//! `invoice_settings[default_payment_method]` and checks the test clock. If any check
//! fails, what was already taken is given back before the error is answered, so a claim
//! is all or nothing. The CustomerObject then writes the customer with the [`Claimed`]
//! objects; if that write fails it sends `release` (the compensating call).

use serde_json::Value;

use super::changes::{Reference, ReferenceKind};
use crate::resources::objects::{object, opt, text, ObjectCommand, ObjectStore, Table};
use crate::resources::{coupons, payment_methods, promotion_codes};
use crate::wire::error::ApiError;

/// What a claim took for the customer write. It crosses the object boundary as the
/// JSON of [`Claimed::to_json`], read back by hand (no derived `Deserialize`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Claimed {
    /// The redeemed coupon, as it is after the redemption.
    pub coupon: Option<Value>,
    /// The promotion code the coupon was redeemed through.
    pub promotion_code: Option<String>,
    /// The payment method `payment_method` attached, and whether the claim made it.
    pub payment_method: Option<String>,
    pub payment_method_created: bool,
    /// The id `invoice_settings[default_payment_method]` resolves to.
    pub default_payment_method: Option<String>,
    pub test_clock: Option<String>,
}

impl Claimed {
    pub fn is_empty(&self) -> bool {
        *self == Claimed::default()
    }

    pub fn to_json(&self) -> Value {
        object(vec![
            ("coupon", self.coupon.clone().unwrap_or(Value::Null)),
            ("promotion_code", opt(self.promotion_code.clone())),
            ("payment_method", opt(self.payment_method.clone())),
            (
                "payment_method_created",
                Value::Bool(self.payment_method_created),
            ),
            (
                "default_payment_method",
                opt(self.default_payment_method.clone()),
            ),
            ("test_clock", opt(self.test_clock.clone())),
        ])
    }

    pub fn from_json(v: &Value) -> Self {
        let id = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
        Claimed {
            coupon: v.get("coupon").filter(|c| c.is_object()).cloned(),
            promotion_code: id("promotion_code"),
            payment_method: id("payment_method"),
            payment_method_created: v["payment_method_created"] == true,
            default_payment_method: id("default_payment_method"),
            test_clock: id("test_clock"),
        }
    }
}

/// The claim request for customer `customer`'s write.
pub fn claim_command(
    customer: &str,
    references: &[Reference],
    now: i64,
    livemode: bool,
) -> ObjectCommand {
    let mut rows = Vec::with_capacity(references.len());
    for r in references {
        rows.push(Value::Array(vec![
            r.kind.as_str().into(),
            r.id.as_str().into(),
            r.param.as_str().into(),
        ]));
    }
    ObjectCommand::new(
        "claim",
        customer,
        object(vec![
            ("references", Value::Array(rows)),
            ("now", now.into()),
            ("livemode", livemode.into()),
        ]),
    )
}

/// Runs `claim` or `release` from their JSON args.
pub fn execute(store: &mut impl ObjectStore, command: ObjectCommand) -> Result<String, ApiError> {
    let ObjectCommand { op, id, args, .. } = command;
    let now = args["now"].as_i64().unwrap_or(0);
    if op == "release" {
        release(store, &Claimed::from_json(&args["claimed"]), now)?;
        return Ok(String::new());
    }
    let references: Vec<Reference> = match &args["references"] {
        Value::Array(items) => {
            let mut references = Vec::with_capacity(items.len());
            for r in items {
                let (Some(kind), Some(id), Some(param)) = (
                    r[0].as_str().and_then(ReferenceKind::parse),
                    r[1].as_str(),
                    r[2].as_str(),
                ) else {
                    continue;
                };
                references.push(Reference {
                    kind,
                    id: id.to_owned(),
                    param: param.to_owned(),
                });
            }
            references
        }
        _ => Vec::new(),
    };
    let claimed = claim(store, &id, &references, now, args["livemode"] == true)?;
    Ok(crate::wire::render::compact(&claimed.to_json()))
}

/// Whether the AccountObject must look at a reference (sources live with the customer).
pub fn is_account_reference(reference: &Reference) -> bool {
    reference.kind != ReferenceKind::Source
}

/// Checks and takes every reference for customer `customer`; all or nothing.
pub fn claim(
    store: &mut impl ObjectStore,
    customer: &str,
    references: &[Reference],
    now: i64,
    livemode: bool,
) -> Result<Claimed, ApiError> {
    let mut claimed = Claimed::default();
    match take(store, customer, references, now, livemode, &mut claimed) {
        Ok(()) => Ok(claimed),
        Err(err) => {
            release(store, &claimed, now)?;
            Err(err)
        }
    }
}

fn take(
    store: &mut impl ObjectStore,
    customer: &str,
    references: &[Reference],
    now: i64,
    livemode: bool,
    claimed: &mut Claimed,
) -> Result<(), ApiError> {
    let of = |kind: ReferenceKind, param: &str| {
        references
            .iter()
            .find(|r| r.kind == kind && r.param == param)
    };
    if let Some(r) = of(ReferenceKind::PaymentMethod, "payment_method") {
        let (pm, created) =
            payment_methods::attach(store, &r.id, customer, Some(&r.param), now, livemode)?;
        claimed.payment_method = Some(text(&pm, "id").to_owned());
        claimed.payment_method_created = created;
    }
    if let Some(r) = of(
        ReferenceKind::PaymentMethod,
        "invoice_settings[default_payment_method]",
    ) {
        let just_attached = of(ReferenceKind::PaymentMethod, "payment_method")
            .is_some_and(|given| given.id == r.id);
        let resolved = if just_attached {
            claimed.payment_method.clone()
        } else {
            default_payment_method(store, customer, r)?
        };
        claimed.default_payment_method = resolved;
    }
    if let Some(r) = of(ReferenceKind::Coupon, "coupon") {
        if references
            .iter()
            .any(|o| o.kind == ReferenceKind::PromotionCode)
        {
            return Err(ApiError::invalid(
                "coupon",
                "You may only specify one of these parameters: coupon, promotion_code.",
            ));
        }
        claimed.coupon = Some(coupons::redeem(store, &r.id, &r.param, now)?);
    }
    if let Some(r) = of(ReferenceKind::PromotionCode, "promotion_code") {
        claimed.coupon = Some(promotion_codes::redeem(
            store, &r.id, &r.param, customer, now,
        )?);
        claimed.promotion_code = Some(r.id.clone());
    }
    if let Some(r) = of(ReferenceKind::TestClock, "test_clock") {
        if store.get(Table::TestClocks, &r.id)?.is_none() {
            return Err(r.missing());
        }
        if store.clock_customers(&r.id)?.len() >= CLOCK_CUSTOMERS_MAX {
            return Err(ApiError::invalid(
                "test_clock",
                format!(
                    "The test clock {} already has {CLOCK_CUSTOMERS_MAX} customers, the most one test clock can have.",
                    r.id
                ),
            ));
        }
        claimed.test_clock = Some(r.id.clone());
    }
    Ok(())
}

/// The customers one test clock may have (Stripe's documented limit as we remember it;
/// not verified against a live account: see the README's Billing section).
pub const CLOCK_CUSTOMERS_MAX: usize = 3;

/// A default payment method must already be attached to this customer.
fn default_payment_method(
    store: &impl ObjectStore,
    customer: &str,
    r: &Reference,
) -> Result<Option<String>, ApiError> {
    let magic = payment_methods::test_cards::by_magic_id(&r.id).is_some();
    match store.get(Table::PaymentMethods, &r.id)? {
        Some(pm) if text(&pm, "customer") == customer => Ok(Some(r.id.clone())),
        Some(_) => Err(not_attached(r)),
        None if magic => Err(not_attached(r)),
        None => Err(r.missing()),
    }
}

fn not_attached(r: &Reference) -> ApiError {
    ApiError::invalid_with_code(
        r.param.clone(),
        "resource_missing",
        format!(
            "The customer does not have a payment method with the ID {}. The payment method must be attached to the customer.",
            r.id
        ),
    )
}

/// Gives back what a claim took: the redemption is uncounted and the payment method
/// detached (or removed, if the claim made it).
pub fn release(store: &mut impl ObjectStore, claimed: &Claimed, now: i64) -> Result<(), ApiError> {
    match (&claimed.promotion_code, &claimed.coupon) {
        (Some(promo), _) => promotion_codes::release(store, promo, now)?,
        (None, Some(coupon)) => coupons::release(store, text(coupon, "id"), now)?,
        _ => {}
    }
    if let Some(pm) = &claimed.payment_method {
        payment_methods::release(store, pm, claimed.payment_method_created)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::objects::{save, MemoryObjectStore};
    use serde_json::json;

    fn reference(kind: ReferenceKind, id: &str, param: &str) -> Reference {
        Reference {
            kind,
            id: id.into(),
            param: param.into(),
        }
    }

    fn store() -> MemoryObjectStore {
        let mut store = MemoryObjectStore::default();
        let coupon = json!({"id": "ONE", "object": "coupon", "created": 1, "times_redeemed": 0,
            "max_redemptions": 1, "redeem_by": null, "valid": true});
        save(&mut store, Table::Coupons, &coupon).unwrap();
        store
    }

    #[test]
    fn the_magic_id_of_payment_method_resolves_as_the_default_in_the_same_call() {
        let mut store = store();
        let refs = [
            reference(
                ReferenceKind::PaymentMethod,
                "pm_card_visa",
                "payment_method",
            ),
            reference(
                ReferenceKind::PaymentMethod,
                "pm_card_visa",
                "invoice_settings[default_payment_method]",
            ),
        ];
        let claimed = claim(&mut store, "cus_1", &refs, 1_692_000_000, false).unwrap();
        let pm = claimed.payment_method.clone().unwrap();
        assert!(pm.starts_with("pm_") && pm != "pm_card_visa");
        assert_eq!(claimed.default_payment_method, Some(pm));
    }

    #[test]
    fn a_default_payment_method_not_attached_to_the_customer_is_refused() {
        let mut store = store();
        let refs = [reference(
            ReferenceKind::PaymentMethod,
            "pm_card_visa",
            "invoice_settings[default_payment_method]",
        )];
        let err = claim(&mut store, "cus_1", &refs, 0, false).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("The customer does not have a payment method with the ID pm_card_visa."));
        let missing = [reference(
            ReferenceKind::PaymentMethod,
            "pm_nope",
            "invoice_settings[default_payment_method]",
        )];
        let err = claim(&mut store, "cus_1", &missing, 0, false).unwrap_err();
        assert_eq!(err.to_string(), "No such PaymentMethod: 'pm_nope'");
    }

    #[test]
    fn a_detached_payment_method_is_refused_as_payment_method_and_as_default() {
        let mut store = store();
        let refs = [reference(
            ReferenceKind::PaymentMethod,
            "pm_card_visa",
            "payment_method",
        )];
        let pm = claim(&mut store, "cus_1", &refs, 0, false)
            .unwrap()
            .payment_method
            .unwrap();
        let detach = ObjectCommand::new("payment_method.detach", &pm, Value::Null);
        payment_methods::execute(&mut store, detach).unwrap();
        let again = [reference(
            ReferenceKind::PaymentMethod,
            &pm,
            "payment_method",
        )];
        let err = claim(&mut store, "cus_2", &again, 0, false).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("This PaymentMethod was previously used"));
        // As the default, Stripe answers that the customer has no such payment method.
        let param = "invoice_settings[default_payment_method]";
        let default = [reference(ReferenceKind::PaymentMethod, &pm, param)];
        let err = claim(&mut store, "cus_1", &default, 0, false).unwrap_err();
        assert_eq!(err.param(), Some(param));
        assert!(err
            .to_string()
            .starts_with("The customer does not have a payment method"));
        // Both in one call: the attach is refused first.
        let both = [again[0].clone(), default[0].clone()];
        let err = claim(&mut store, "cus_1", &both, 0, false).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("This PaymentMethod was previously used"));
    }

    #[test]
    fn a_failed_claim_gives_back_what_it_took() {
        let mut store = store();
        let refs = [
            reference(
                ReferenceKind::PaymentMethod,
                "pm_card_visa",
                "payment_method",
            ),
            reference(ReferenceKind::Coupon, "ONE", "coupon"),
            reference(ReferenceKind::TestClock, "clock_nope", "test_clock"),
        ];
        let err = claim(&mut store, "cus_1", &refs, 0, false).unwrap_err();
        assert_eq!(err.param(), Some("test_clock"));
        assert_eq!(
            store.get(Table::Coupons, "ONE").unwrap().unwrap()["times_redeemed"],
            0
        );
        assert!(store.all(Table::PaymentMethods, None).unwrap().is_empty());
    }

    #[test]
    fn release_uncounts_the_redemption() {
        let mut store = store();
        let refs = [reference(ReferenceKind::Coupon, "ONE", "coupon")];
        let claimed = claim(&mut store, "cus_1", &refs, 0, false).unwrap();
        assert_eq!(claimed.coupon.as_ref().unwrap()["times_redeemed"], 1);
        assert!(
            claim(&mut store, "cus_2", &refs, 0, false).is_err(),
            "max_redemptions is 1"
        );
        release(&mut store, &claimed, 0).unwrap();
        assert!(claim(&mut store, "cus_2", &refs, 0, false).is_ok());
    }
}
