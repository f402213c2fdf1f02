//! Which code runs for which function kind.

use crate::functions::Settings;
use crate::runs::{Failure, RunCtx};

pub async fn dispatch(ctx: &mut RunCtx<'_>) -> Result<(), Failure> {
    // the interface may have changed since the function was saved: nothing is sent then
    crate::functions::fits_interface(&ctx.function.settings, ctx.interface).map_err(|refused| {
        Failure::Stopped(format!("{refused}: change the function or the interface; nothing sent"))
    })?;
    match ctx.function.settings.clone() {
        Settings::Injection(settings) => crate::injection::run(ctx, &settings).await,
        Settings::Push(settings) => crate::push::run(ctx, &settings).await,
        Settings::Feedback(settings) => crate::feedback::run(ctx, &settings).await,
        Settings::Privileges(settings) => crate::privileges::run(ctx, &settings).await,
        Settings::Reconcile(settings) => crate::reconcile::run(ctx, &settings).await,
    }
}
