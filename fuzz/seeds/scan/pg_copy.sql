--
-- PostgreSQL database dump
--

\restrict W3H8x5Eg7QMiIoCNy2pxvpcvaxJT9hIYBPCeIeWrE9j6NlXUokbSe5GFNCJXGA9

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: calls; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.calls (
    id integer NOT NULL,
    caller text,
    callee text,
    started_at timestamp without time zone,
    duration_sec integer
);


ALTER TABLE public.calls OWNER TO postgres;

--
-- Name: users; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.users (
    id integer NOT NULL,
    full_name text,
    phone text,
    email text,
    inn text,
    snils text,
    birth_date date,
    passport text,
    photo bytea,
    note text
);


ALTER TABLE public.users OWNER TO postgres;

--
-- Data for Name: calls; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.calls (id, caller, callee, started_at, duration_sec) FROM stdin;
1	+79000012345	84955550123	2024-01-15 10:00:00	65
2	+79000023456	+79000034567	2024-01-15 10:05:00	0
3	84955550234	+79000045678	2024-01-15 11:30:00	312
4	+79000056789	84955550345	2024-01-16 09:00:00	17
5	+79000067890	+79000012345	2024-01-16 12:45:00	1200
6	84955550456	+79000023456	2024-01-17 18:20:00	44
\.


--
-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.users (id, full_name, phone, email, inn, snils, birth_date, passport, photo, note) FROM stdin;
1	Иванов Иван Иванович	+7 900 001-23-45	ivan.ivanov@example.ru	771357924606	112-233-