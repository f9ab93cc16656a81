-- The PostgreSQL state schema version 1 with the state of crm.yaml and orders.yaml, as ctsync 0.1
-- (commit 38d956f) wrote it: pg_dump --schema-only and --data-only --inserts of a real run, with the
-- dump's session settings removed. Never edit: it is what databases in the field hold.
CREATE FUNCTION public.ctsync_take_slot(p_account text, p_holder text, p_capacity integer, p_ttl_ms double precision) RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
    v_held integer;
    v_others integer;
    v_waiting boolean;
    v_share integer;
    v_slot integer;
BEGIN
    SELECT count(*) INTO v_held FROM ctsync_slots
     WHERE account = p_account AND holder = p_holder AND expires_at > now();
    SELECT count(*) INTO v_others FROM (
        SELECT holder FROM ctsync_slots
         WHERE account = p_account AND holder <> p_holder AND expires_at > now()
        UNION
        SELECT holder FROM ctsync_members
         WHERE account = p_account AND holder <> p_holder AND waiting_until > now() AND expires_at > now()
    ) AS active;
    SELECT EXISTS (
        SELECT 1 FROM ctsync_members
         WHERE account = p_account AND holder <> p_holder AND waiting_until > now() AND expires_at > now()
    ) INTO v_waiting;
    v_share := ceil(p_capacity::numeric / (v_others + 1));
    IF v_held >= p_capacity OR (v_held >= v_share AND v_waiting) THEN
        RETURN -1;
    END IF;
    SELECT slot INTO v_slot FROM ctsync_slots
     WHERE account = p_account AND slot < p_capacity AND (holder IS NULL OR expires_at <= now())
     ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF FOUND THEN
        UPDATE ctsync_slots SET holder = p_holder, expires_at = now() + p_ttl_ms * interval '1 millisecond'
         WHERE account = p_account AND slot = v_slot;
        RETURN v_slot;
    END IF;
    IF v_held < v_share THEN
        UPDATE ctsync_members SET waiting_until = now() + interval '1 second'
         WHERE account = p_account AND holder = p_holder;
    END IF;
    RETURN -1;
END
$$;
CREATE TABLE public.ctsync_acks (
    job_id bigint NOT NULL,
    key text NOT NULL COLLATE pg_catalog."C",
    hash bytea NOT NULL,
    spec bigint NOT NULL,
    acked_at timestamp with time zone DEFAULT now() NOT NULL
);
CREATE TABLE public.ctsync_job_leases (
    job text NOT NULL,
    holder text NOT NULL,
    pid integer NOT NULL,
    host text NOT NULL,
    boot_id text NOT NULL,
    acquired_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL
);
CREATE TABLE public.ctsync_jobs (
    id bigint NOT NULL,
    name text NOT NULL,
    spec_fingerprint bigint,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);
ALTER TABLE public.ctsync_jobs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.ctsync_jobs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);
CREATE TABLE public.ctsync_members (
    account text NOT NULL,
    holder text NOT NULL,
    pid integer NOT NULL,
    host text NOT NULL,
    boot_id text NOT NULL,
    waiting_until timestamp with time zone,
    expires_at timestamp with time zone NOT NULL
);
CREATE TABLE public.ctsync_schema_version (
    version integer NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL,
    applied_by text NOT NULL
);
COMMENT ON TABLE public.ctsync_schema_version IS 'ctsync state schema versions; managed by ctsync';
CREATE TABLE public.ctsync_slots (
    account text NOT NULL,
    slot smallint NOT NULL,
    holder text,
    expires_at timestamp with time zone
);
ALTER TABLE ONLY public.ctsync_acks
    ADD CONSTRAINT ctsync_acks_pkey PRIMARY KEY (job_id, key);
ALTER TABLE ONLY public.ctsync_job_leases
    ADD CONSTRAINT ctsync_job_leases_pkey PRIMARY KEY (job);
ALTER TABLE ONLY public.ctsync_jobs
    ADD CONSTRAINT ctsync_jobs_name_key UNIQUE (name);
ALTER TABLE ONLY public.ctsync_jobs
    ADD CONSTRAINT ctsync_jobs_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.ctsync_members
    ADD CONSTRAINT ctsync_members_pkey PRIMARY KEY (account, holder);
ALTER TABLE ONLY public.ctsync_schema_version
    ADD CONSTRAINT ctsync_schema_version_pkey PRIMARY KEY (version);
ALTER TABLE ONLY public.ctsync_slots
    ADD CONSTRAINT ctsync_slots_pkey PRIMARY KEY (account, slot);
ALTER TABLE ONLY public.ctsync_acks
    ADD CONSTRAINT ctsync_acks_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.ctsync_jobs(id) ON DELETE CASCADE;
-- Data for Name: ctsync_jobs; Type: TABLE DATA; Schema: public; Owner: -
INSERT INTO public.ctsync_jobs OVERRIDING SYSTEM VALUE VALUES (1, 'crm', 5593767965389563038, '2026-12-07 21:33:30.23992+00');
INSERT INTO public.ctsync_jobs OVERRIDING SYSTEM VALUE VALUES (2, 'orders', -5203332744963091711, '2026-12-07 21:33:30.41427+00');
-- Data for Name: ctsync_acks; Type: TABLE DATA; Schema: public; Owner: -
INSERT INTO public.ctsync_acks VALUES (1, '1', '\xf3f9d16f063c10e4950081596d327bb6', 5593767965389563038, '2026-12-07 21:33:30.231918+00');
INSERT INTO public.ctsync_acks VALUES (1, '2', '\x0707175f7fd76b6b47365ede80827b90', 5593767965389563038, '2026-12-07 21:33:30.231918+00');
INSERT INTO public.ctsync_acks VALUES (1, '3', '\xfbd9ff902e9d9a9a7a010c222889a419', 5593767965389563038, '2026-12-07 21:33:30.231918+00');
INSERT INTO public.ctsync_acks VALUES (2, 'o1', '\x00f55a604dc64a6bbc882bdbf25fa455', -5203332744963091711, '2026-12-07 21:33:30.413496+00');
INSERT INTO public.ctsync_acks VALUES (2, 'o2', '\x81b57776c4af12fbd0692c93ce997634', -5203332744963091711, '2026-12-07 21:33:30.413496+00');
-- Data for Name: ctsync_schema_version; Type: TABLE DATA; Schema: public; Owner: -
INSERT INTO public.ctsync_schema_version VALUES (1, '2026-12-07 21:33:29.863969+00', 'ctsync (pid 20204 on host vm)');
SELECT pg_catalog.setval('public.ctsync_jobs_id_seq', 2, true);
