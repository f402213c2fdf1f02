//! The HTTP server loop: hyper's HTTP/1 connections over the router, with a bound on how long
//! a client may take to send a request's headers (hyper's header read timeout) and its body
//! (tower-http's request body timeout: each part of the body must arrive within the bound). A
//! client that dribbles a request out a byte at a time holds a connection for that long at
//! most, instead of for ever. Graceful shutdown: stop accepting, let every connection finish
//! the request it is on.

use std::net::SocketAddr;
use std::pin::pin;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// Serves `router` on `listener` until `shutdown` completes; `client_timeout` bounds the time a
/// client may take to send a request's headers, and each part of its body.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    client_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Outermost: every refusal, the router's and the timeout's included, leaves in one shape.
    let router = router
        .layer(RequestBodyTimeoutLayer::new(client_timeout))
        .layer(axum::middleware::from_fn(tixbridge_web::shape_errors));
    // Connections hold a receiver each; all are gone once every connection has closed.
    let (stop, stopped) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // e.g. out of file descriptors: wait a little rather than spin
                    tracing::warn!(error = %err, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = router.clone().map_request(move |request: axum::http::Request<Incoming>| {
            let mut request = request.map(Body::new);
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(remote));
            request
        });
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(client_timeout);
            let mut connection =
                pin!(builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
            let stop_asked = async move {
                // the guard `wait_for` answers is dropped here, before anything else awaits
                let _ = stopped.wait_for(|stop| *stop).await.is_ok();
            };
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(err) = result {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
                }
                () = stop_asked => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    drop(stopped);
    stop.closed().await;
    Ok(())
}
