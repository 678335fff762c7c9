//! Authenticated downloads: paced once Exact counts them, with the token and a size cap.

use exact_api::Error;
use exact_sim::SimConfig;

use crate::support::{Harness, start};

/// The first `n` picture URLs of the division's items.
async fn picture_urls(h: &Harness, n: usize) -> Vec<String> {
    let mut pager = h
        .client
        .sync(h.division(), "sync/Logistics/Items", "ID,PictureUrl", 1);
    let page = pager.next_page().await.unwrap().unwrap();
    let urls: Vec<String> = page
        .records
        .iter()
        .filter_map(|r| r.str("PictureUrl").filter(|u| u.contains("SysImage")))
        .map(str::to_owned)
        .take(n)
        .collect();
    assert_eq!(urls.len(), n, "the items have pictures");
    urls
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_are_paced_once_exact_counts_them_and_only_then() {
    for counted in [true, false] {
        // Five calls a minute; one simulated minute per real second.
        let h = start(SimConfig {
            items: 40,
            picture_share: 1.0,
            minutely_limit: 5,
            time_scale: 60.0,
            docs_counted: counted,
            ..Default::default()
        })
        .await;
        let urls = picture_urls(&h, 12).await;
        h.reset_stats().await;
        for (i, url) in urls.iter().enumerate() {
            let dest = h.dir.path().join(format!("p{i}.bin"));
            h.client
                .download_for(h.division(), url, &dest, 50_000_000)
                .await
                .unwrap();
        }
        let stats = h.stats().await;
        assert_eq!(
            stats["served_429"].as_u64(),
            Some(0),
            "counted: {counted}: the downloads never outrun the limit: {stats}"
        );
        let rate = h.client.rate(h.division());
        match counted {
            // Read from the downloads' own headers.
            true => assert_eq!(rate.minutely_limit, Some(5), "{rate:?}"),
            // Not charged: the budget the pacer knows is the sync call's only.
            false => assert_eq!(rate.minutely_remaining, Some(4), "{rate:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_pictures_with_the_token_and_a_cap() {
    let h = start(SimConfig {
        items: 40,
        picture_share: 1.0,
        ..Default::default()
    })
    .await;
    let select = "ID,PictureUrl,PictureName";
    let mut pager = h
        .client
        .sync(h.division(), "sync/Logistics/Items", select, 1);
    let page = pager.next_page().await.unwrap().unwrap();
    let url = page
        .records
        .iter()
        .find_map(|r| {
            r.str("PictureUrl")
                .filter(|u| u.contains("SysImage"))
                .map(str::to_owned)
        })
        .unwrap();
    let dest = h.dir.path().join("picture.bin");
    let download = h
        .client
        .download_to(None, &url, &dest, 50_000_000)
        .await
        .unwrap();
    let bytes = std::fs::read(&dest).unwrap();
    assert_eq!(download.bytes, bytes.len() as u64);
    let (width, height) = image_size(&bytes);
    assert!(
        width > 1 && height > 1,
        "with the token the real picture arrives, not the 1×1 placeholder"
    );
    assert!(
        !h.dir.path().join("picture.part").exists(),
        "no partial file is left behind"
    );

    match h
        .client
        .download_to(None, &url, &h.dir.path().join("small.bin"), 100)
        .await
    {
        Err(Error::Download(m)) => assert!(m.contains("cap"), "{m}"),
        other => panic!("a download over the cap must be refused, got {other:?}"),
    }
    assert!(!h.dir.path().join("small.bin").exists() && !h.dir.path().join("small.part").exists());
    match h
        .client
        .download_to(
            None,
            "https://elsewhere.example/x.png",
            &h.dir.path().join("x"),
            100,
        )
        .await
    {
        Err(Error::Download(m)) => assert!(m.contains("refusing"), "{m}"),
        other => panic!("the token must never go to another host, got {other:?}"),
    }
}

fn image_size(bytes: &[u8]) -> (u32, u32) {
    if bytes.starts_with(b"\x89PNG") {
        let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        return (w, h);
    }
    assert!(
        bytes.starts_with(&[0xFF, 0xD8]),
        "a picture is a PNG or a JPEG"
    );
    // Walk JPEG segments to the first SOFn marker.
    let mut i = 2;
    while i + 9 < bytes.len() {
        let marker = bytes[i + 1];
        let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            let h = u16::from_be_bytes([bytes[i + 5], bytes[i + 6]]) as u32;
            let w = u16::from_be_bytes([bytes[i + 7], bytes[i + 8]]) as u32;
            return (w, h);
        }
        i += 2 + len;
    }
    panic!("no JPEG frame header found");
}
