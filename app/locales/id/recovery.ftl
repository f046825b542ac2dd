# Masuk kembali ke akun, dan membuktikan alamat email milik sendiri:
# /forgot-password, /reset-password/{token}, /verify-email/{token}, dan apa
# yang dikatakan halaman masuk dan pengaturan tentangnya.

## /forgot-password
forgot-title = Lupa kata sandi?
forgot-description = Dapatkan tautan untuk membuat kata sandi baru.
forgot-intro = Ketik alamat email yang Anda pakai saat mendaftar. Jika ada akun dengan alamat itu, kami akan mengirim tautan untuk membuat kata sandi baru.
forgot-submit = Kirim tautan
forgot-sent = Jika ada akun dengan alamat itu, tautan untuk membuat kata sandi baru sedang dikirim ke sana.
forgot-sent-hint = Tautan berlaku 30 menit, sekali pakai. Tidak ada yang masuk? Periksa folder spam, atau minta lagi beberapa menit lagi.
forgot-back-to-sign-in = Kembali ke halaman masuk
forgot-failed = Tautan belum dapat dikirim saat ini; silakan coba lagi.

## /reset-password/{token}
reset-title = Buat kata sandi baru
reset-new-password = Kata sandi baru
reset-ends-sessions = Setelah itu Anda keluar dari semua perangkat dan aplikasi; lalu masuk dengan kata sandi baru.
reset-submit = Simpan kata sandi
reset-link-dead = Tautan ini sudah tidak berlaku: kedaluwarsa, sudah dipakai, atau ada tautan yang lebih baru. Minta tautan baru.
reset-failed = Kata sandi belum dapat disimpan saat ini; silakan coba lagi.

## /verify-email/{token}
verify-title = Verifikasi alamat email Anda
verify-question = Apakah { $email } alamat Anda? Konfirmasikan, dan Warta akan mengirim kabar dari penulis yang Anda ikuti ke sana.
verify-submit = Ya, ini alamat saya
verify-link-dead = Tautan ini sudah tidak berlaku: kedaluwarsa, sudah dipakai, atau ada tautan yang lebih baru. Halaman pengaturan dapat mengirim tautan baru.
verify-taken = Orang lain telah mendaftarkan alamat ini sementara itu, jadi alamat ini tidak dapat menjadi milik Anda.
verify-failed = Alamat belum dapat diverifikasi saat ini; silakan coba lagi.
verify-resend-failed = Tautan belum dapat dikirim saat ini; silakan coba lagi.

## A link that no longer works
dead-link-new-reset = Minta tautan kata sandi baru
dead-link-settings = Pengaturan Anda

## /login
sign-in-forgot = Lupa kata sandi?
sign-in-after-reset = Kata sandi Anda telah diganti, dan Anda telah keluar dari semua perangkat. Masuk dengan kata sandi baru.
sign-in-after-verify = Alamat email Anda telah terverifikasi.

## /settings
settings-verified = Alamat email Anda telah terverifikasi.
settings-link-sent = Tautan telah kami kirim lagi.
settings-address = Alamat email Anda
settings-address-verified = { $email } sudah terverifikasi.
settings-address-unverified = { $email } belum terverifikasi. Sebelum Anda membuka tautan yang kami kirim, Warta tidak mengirim apa pun ke sana selain tautan itu.
settings-address-pending = Anda meminta mengganti alamat menjadi { $email }. Alamat berganti setelah Anda membuka tautan yang kami kirim ke sana; sampai saat itu, masuk dengan alamat Anda sekarang.
settings-send-again = Kirim tautan lagi
